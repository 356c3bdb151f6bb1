// What the figures were measured on, printed at the head of every bench report.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";

function versionOf(pkg: string): string {
	const file = resolve(import.meta.dirname, "../node_modules", pkg, "package.json");
	return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function cpuModel(): string {
	try {
		const model = /^Model name:\s*(.+)$/m.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1];
		if (model !== undefined) return model.trim();
	} catch {
		// lscpu is missing on some systems; Node's view follows.
	}
	return os.cpus()[0]?.model ?? "unknown";
}

/** `loadAtStart`: the load averages when the bench began (other work on the machine shows there). */
export function machineLines(withWorkerd: boolean, loadAtStart: string): string[] {
	return [
		`- CPU: ${cpuModel()}, ${os.availableParallelism()} cores (nproc); memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		`- OS: ${os.type()} ${os.release()} ${os.arch()}`,
		`- Node.js ${process.version}${withWorkerd ? `; workerd ${versionOf("workerd")} via miniflare ${versionOf("miniflare")}; autocannon ${versionOf("autocannon")}` : ""}`,
		`- load average (1, 5, 15 min) at start: ${loadAtStart}; at end: ${loadAverage()} (other work on the machine shows here)`,
	];
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
	return os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(" ");
}
