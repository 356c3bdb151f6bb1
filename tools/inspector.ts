// One Worker isolate's V8 heap, read through workerd's inspector (the DevTools protocol):
// what the process's RSS cannot show on its own (`wrangler dev`'s workerd also hosts
// wrangler's proxy workers, and its RSS grows with the request count even for a Worker
// that only answers "ok"). The bench opens the inspector Miniflare exposes with
// `inspectorPort` (workerdInspector), the soak run the one of `wrangler dev --inspector-port`
// (wranglerDevInspector).
import { setTimeout as sleep } from "node:timers/promises";

interface Message {
	id?: number;
	result?: { usedSize?: number };
	error?: { message: string };
}

export interface WorkerInspector {
	/** V8's used heap now, in bytes (ArrayBuffer contents are outside it). */
	heapUsed(): Promise<number>;
	/** The used heap after `HeapProfiler.collectGarbage`: what the Worker retains. */
	heapAfterGc(): Promise<number>;
	/**
	 * The used heap after a heap snapshot, which collects first: for inspectors that do not
	 * answer `HeapProfiler.collectGarbage` (wrangler dev's). The snapshot's chunks are ignored.
	 */
	heapAfterSnapshot(): Promise<number>;
	close(): void;
}

/**
 * The inspector of `worker` (its Miniflare name) at `inspector` (Miniflare's
 * getInspectorURL()). workerd handles inspector commands only while the isolate runs, so
 * `poke` (a cheap request to the Worker) is repeated until each answer comes.
 */
export function workerdInspector(
	inspector: URL,
	worker: string,
	poke: () => Promise<unknown>,
): Promise<WorkerInspector> {
	return openInspector(new URL(`/core:user:${worker}`, inspector).href, { poke });
}

/** The inspector of the Worker `wrangler dev --inspector-port PORT` runs (its first target). */
export async function wranglerDevInspector(port: number): Promise<WorkerInspector> {
	const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
	const url = targets[0]?.webSocketDebuggerUrl;
	if (url === undefined) throw new Error(`no inspector target on port ${port}`);
	// wrangler's inspector proxy only admits DevTools origins, 127.0.0.1 among them.
	return openInspector(url, { headers: { origin: "http://127.0.0.1" } });
}

interface Options {
	poke?: () => Promise<unknown>;
	headers?: Record<string, string>;
}

async function openInspector(url: string, options: Options): Promise<WorkerInspector> {
	// `headers` is a non-standard option of Node's (undici's) WebSocket.
	const init = options.headers === undefined ? undefined : ({ headers: options.headers } as unknown as string[]);
	const socket = new WebSocket(url, init);
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve, { once: true });
		socket.addEventListener("error", () => reject(new Error(`cannot connect to the inspector at ${url}`)), {
			once: true,
		});
	});
	let nextId = 0;
	const pending = new Map<number, (message: Message) => void>();
	socket.addEventListener("message", (event) => {
		const message = JSON.parse(String(event.data)) as Message;
		if (message.id === undefined) return;
		pending.get(message.id)?.(message);
		pending.delete(message.id);
	});
	const call = async (method: string, timeoutMs = 10_000): Promise<Message["result"]> => {
		const id = ++nextId;
		let reply: Message | undefined;
		const answered = new Promise<void>((resolve) =>
			pending.set(id, (message) => {
				reply = message;
				resolve();
			}),
		);
		socket.send(JSON.stringify({ id, method }));
		const deadline = performance.now() + timeoutMs;
		try {
			if (options.poke === undefined) await Promise.race([answered, sleep(timeoutMs, undefined, { ref: false })]);
			else
				while (reply === undefined && performance.now() < deadline) await Promise.race([answered, poked(options.poke)]);
		} finally {
			pending.delete(id);
		}
		if (reply === undefined) throw new Error(`inspector: no answer to ${method} from ${url}`);
		if (reply.error !== undefined) throw new Error(`inspector: ${method}: ${reply.error.message}`);
		return reply.result;
	};
	const heapUsed = async () => {
		const usage = await call("Runtime.getHeapUsage");
		if (typeof usage?.usedSize !== "number") throw new Error("inspector: Runtime.getHeapUsage gave no usedSize");
		return usage.usedSize;
	};
	return {
		heapUsed,
		async heapAfterGc() {
			await call("HeapProfiler.collectGarbage");
			return heapUsed();
		},
		async heapAfterSnapshot() {
			await call("HeapProfiler.takeHeapSnapshot", 60_000);
			return heapUsed();
		},
		close: () => socket.close(),
	};
}

async function poked(poke: () => Promise<unknown>): Promise<void> {
	await poke();
	await sleep(10);
}
