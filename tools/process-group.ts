// Child processes in their own process group, so stopping one stops everything it started
// (wrangler's worker process and its workerd children), also when a run fails.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { once } from "node:events";

const STOP_GRACE_MS = 5_000;
const running = new Set<ChildProcess>();

/** Spawns `command` as the leader of a new process group. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
	const child = spawn(command, args, { ...options, detached: true });
	running.add(child);
	child.once("exit", () => running.delete(child));
	return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// ESRCH: the whole group is gone already.
	}
}

/** SIGTERM to the group, SIGKILL to whatever is left of it after a grace period. */
export async function stopGroup(child: ChildProcess): Promise<void> {
	const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, "exit");
	signalGroup(child, "SIGTERM");
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
	clearTimeout(timer);
	// The leader may be gone while children it started are not: finish the group off.
	signalGroup(child, "SIGKILL");
}

// Last resort if the runner exits without its teardown (a crash, process.exit): no
// process of ours may outlive it.
process.once("exit", () => {
	for (const child of running) signalGroup(child, "SIGKILL");
});
