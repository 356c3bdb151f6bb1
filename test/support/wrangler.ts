// wrangler for the test harnesses, run as scripts/wrangler.mjs runs it: the local KV
// seeded by hand, and `wrangler dev` in a process group of its own.
import { closeSync, openSync } from "node:fs";
import { putAllowlistArgs, root, runWranglerOrFail, wranglerBin, wranglerEnv } from "../../scripts/wrangler.mjs";
import { spawnGroup, stopGroup } from "./process-group.ts";

export const ROOT = root;

/** `wrangler kv key put --local`: the local ALLOWLIST key `allowlist` of `persistDir` <- file. */
export async function putAllowlistFile(persistDir: string, file: string): Promise<void> {
	await runWranglerOrFail(putAllowlistArgs(file, persistDir));
}

export interface WranglerDev {
	pid: number;
	stop(): Promise<void>;
	/** Resolves with a description when the process exits. */
	exited: Promise<string>;
}

export interface WranglerDevOptions {
	port: number;
	inspectorPort: number;
	persistDir: string;
	/** wrangler's stdout and stderr go here (its request log is read by tests). */
	logPath: string;
	vars: Record<string, string>;
}

/** Starts `wrangler dev` on 127.0.0.1 in its own process group. */
export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
	const log = openSync(options.logPath, "a");
	const args = [
		wranglerBin,
		"dev",
		"--ip",
		"127.0.0.1",
		"--port",
		String(options.port),
		"--inspector-port",
		String(options.inspectorPort),
		"--persist-to",
		options.persistDir,
		"--show-interactive-dev-session=false",
		...Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
	];
	const child = spawnGroup(process.execPath, args, { cwd: ROOT, env: wranglerEnv, stdio: ["ignore", log, log] });
	closeSync(log);
	const exited = new Promise<string>((resolveExit) => {
		child.once("exit", (code, signal) => resolveExit(`wrangler dev exited (${signal ?? `code ${code}`})`));
		child.once("error", (error) => resolveExit(`wrangler dev could not start: ${error.message}`));
	});
	if (child.pid === undefined) throw new Error("wrangler dev could not be spawned");
	return { pid: child.pid, exited, stop: () => stopGroup(child) };
}
