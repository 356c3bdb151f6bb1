// Memory during the soak run: the workerd process's RSS (from /proc) and the Worker
// isolate's JavaScript heap (through wrangler dev's inspector, tools/inspector.ts).
import { readdir, readFile } from "node:fs/promises";
import type { WorkerInspector } from "../../tools/inspector.ts";

const MiB = 1024 * 1024;

/** The workerd process among the descendants of `pid` (wrangler dev), or 0. */
export async function findWorkerd(pid: number): Promise<number> {
	for (const child of await descendants(pid)) {
		try {
			if ((await readFile(`/proc/${child}/comm`, "utf8")).trim() === "workerd") return child;
		} catch {}
	}
	return 0;
}

/** The PIDs of every descendant of `pid`, from /proc. */
async function descendants(pid: number): Promise<number[]> {
	const children = new Map<number, number[]>();
	for (const entry of await readdir("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = await readFile(`/proc/${entry}/stat`, "utf8");
			const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
		} catch {
			// The process ended while we looked.
		}
	}
	const out: number[] = [];
	const queue = [pid];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift() as number) ?? []) {
			out.push(child);
			queue.push(child);
		}
	}
	return out;
}

async function rssMib(pid: number): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, "utf8");
	const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
	return kib / 1024;
}

/** One sample: workerd's RSS and the isolate's heap now, in MiB. */
export async function memoryMib(workerdPid: number, inspector: WorkerInspector): Promise<[number, number]> {
	const [rss, heap] = await Promise.all([rssMib(workerdPid), inspector.heapUsed()]);
	return [rss, heap / MiB];
}

/** The isolate's live heap, after a full collection, in MiB. */
export async function liveHeapMib(inspector: WorkerInspector): Promise<number> {
	return (await inspector.heapAfterSnapshot()) / MiB;
}
