// The V8 heap of one Worker's isolate in workerd, read through workerd's inspector (the
// DevTools protocol Miniflare exposes with `inspectorPort`): used bytes after a full
// garbage collection, so what a Worker retains, not what it has yet to collect.
import { setTimeout as sleep } from "node:timers/promises";

interface Reply {
	id?: number;
	result?: { usedSize?: number };
	error?: { message: string };
}

export interface IsolateHeap {
	/** V8's used heap after a full GC, in bytes (ArrayBuffer contents are outside it). */
	used(): Promise<number>;
	close(): void;
}

/**
 * Opens the inspector session of `worker` (its Miniflare name). workerd handles inspector
 * commands only while the isolate runs, so `poke` (a cheap request to the Worker) is
 * repeated until each answer comes.
 */
export async function isolateHeap(inspector: URL, worker: string, poke: () => Promise<unknown>): Promise<IsolateHeap> {
	const socket = new WebSocket(new URL(`/core:user:${worker}`, inspector).href);
	await new Promise((resolve, reject) => {
		socket.addEventListener("open", resolve, { once: true });
		socket.addEventListener("error", () => reject(new Error(`no inspector for ${worker} at ${inspector}`)), {
			once: true,
		});
	});
	let next = 0;
	const call = async (method: string): Promise<Reply["result"]> => {
		const id = ++next;
		let reply: Reply | undefined;
		const onMessage = (event: MessageEvent) => {
			const message = JSON.parse(String(event.data)) as Reply;
			if (message.id === id) reply = message;
		};
		socket.addEventListener("message", onMessage);
		socket.send(JSON.stringify({ id, method }));
		try {
			for (let tries = 0; reply === undefined; tries++) {
				if (tries === 500) throw new Error(`${method}: no answer from the inspector of ${worker}`);
				await poke();
				await sleep(10);
			}
		} finally {
			socket.removeEventListener("message", onMessage);
		}
		if (reply.error !== undefined) throw new Error(`${method}: ${reply.error.message}`);
		return reply.result;
	};
	return {
		async used() {
			await call("HeapProfiler.collectGarbage");
			const usage = await call("Runtime.getHeapUsage");
			if (typeof usage?.usedSize !== "number") throw new Error("Runtime.getHeapUsage gave no usedSize");
			return usage.usedSize;
		},
		close: () => socket.close(),
	};
}
