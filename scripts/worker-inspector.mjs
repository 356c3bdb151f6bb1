// A minimal DevTools-protocol client for `wrangler dev`'s inspector port, for `npm run soak`:
// reads the Worker isolate's JavaScript heap (`Runtime.getHeapUsage`, and the live heap
// after a full collection), which the workerd
// process's RSS cannot show on its own (wrangler dev's workerd also hosts wrangler's own
// proxy workers, and its RSS grows with request count even for a Worker that only answers "ok").

/**
 * @param {number} inspectorPort
 * @returns {Promise<{ heapUsedMib(): Promise<number>, liveHeapMib(): Promise<number>, close(): void }>}
 */
export async function connectInspector(inspectorPort) {
	const targets = /** @type {{ webSocketDebuggerUrl: string }[]} */ (
		await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()
	);
	const url = targets[0]?.webSocketDebuggerUrl;
	if (url === undefined) throw new Error(`no inspector target on port ${inspectorPort}`);
	// wrangler's inspector proxy only admits DevTools origins, 127.0.0.1 among them. `headers`
	// is a non-standard option of Node's (undici's) WebSocket.
	const socket = new WebSocket(url, /** @type {any} */ ({ headers: { origin: "http://127.0.0.1" } }));
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve);
		socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${url}`)));
	});
	let nextId = 0;
	/** @type {Map<number, (message: any) => void>} */
	const pending = new Map();
	socket.addEventListener("message", (event) => {
		const message = JSON.parse(String(event.data));
		pending.get(message.id)?.(message);
		pending.delete(message.id);
	});
	/** @returns {Promise<any>} */
	const call = (/** @type {string} */ method, timeoutMs = 5000) =>
		new Promise((resolve, reject) => {
			const id = ++nextId;
			const timer = setTimeout(() => {
				pending.delete(id);
				reject(new Error(`inspector: no answer to ${method}`));
			}, timeoutMs);
			pending.set(id, (message) => {
				clearTimeout(timer);
				resolve(message.result);
			});
			socket.send(JSON.stringify({ id, method }));
		});
	const heapUsedMib = async () => {
		const usage = await call("Runtime.getHeapUsage");
		return usage.usedSize / (1024 * 1024);
	};
	return {
		heapUsedMib,
		/**
		 * The heap still in use after a full collection. workerd does not answer
		 * `HeapProfiler.collectGarbage`, but a heap snapshot collects first; its chunks
		 * (events without an id) are ignored.
		 */
		async liveHeapMib() {
			await call("HeapProfiler.takeHeapSnapshot", 60_000);
			return heapUsedMib();
		},
		close: () => socket.close(),
	};
}
