// CPU time used by the workerd process Miniflare started (Linux /proc), so each
// measurement can report the Worker's CPU per request: a figure that other work on a
// shared machine disturbs far less than throughput.
import { readdirSync, readFileSync } from "node:fs";

function statFields(pid: string): string[] | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// Fields after "(comm)": state, ppid, …; utime and stime are the 12th and 13th.
		return [
			stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
			...stat.slice(stat.lastIndexOf(")") + 2).split(" "),
		];
	} catch {
		return undefined;
	}
}

/** Reads the CPU milliseconds of this process's workerd child; undefined where /proc is not available. */
export function workerdCpuMeter(): (() => number) | undefined {
	let pid: string | undefined;
	try {
		pid = readdirSync("/proc").find((d) => {
			const f = /^\d+$/.test(d) ? statFields(d) : undefined;
			return f?.[0] === "workerd" && Number(f[2]) === process.pid;
		});
	} catch {
		return undefined;
	}
	if (pid === undefined) return undefined;
	const found = pid;
	const ticksToMs = 10; // USER_HZ is 100 on Linux
	return () => {
		const f = statFields(found);
		return f === undefined ? Number.NaN : (Number(f[12]) + Number(f[13])) * ticksToMs;
	};
}
