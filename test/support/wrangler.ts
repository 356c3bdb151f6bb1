// wrangler, run the way the project runs it: its JS entry on this Node (24, from
// node_modules), offline and quiet.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnGroup, stopGroup } from "./process-group.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER_BIN = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

const WRANGLER_ENV = {
	...process.env,
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_HIDE_BANNER: "true",
};

/** Runs one wrangler command to completion; rejects with its output if it fails. */
export async function runWrangler(args: string[]): Promise<void> {
	const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
		cwd: ROOT,
		env: WRANGLER_ENV,
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	child.stdout.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr.on("data", (chunk) => {
		output += chunk;
	});
	const [code] = (await once(child, "close")) as [number | null];
	if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code}):\n${output}`);
}

/** `wrangler kv key put --local`: the local ALLOWLIST key `allowlist` of `persistDir` <- file. */
export function putAllowlistFile(persistDir: string, file: string): Promise<void> {
	return runWrangler([
		"kv",
		"key",
		"put",
		"--local",
		"--persist-to",
		persistDir,
		"--binding",
		"ALLOWLIST",
		"allowlist",
		"--path",
		file,
	]);
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
		WRANGLER_BIN,
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
	const child = spawnGroup(process.execPath, args, { cwd: ROOT, env: WRANGLER_ENV, stdio: ["ignore", log, log] });
	closeSync(log);
	const exited = new Promise<string>((resolveExit) => {
		child.once("exit", (code, signal) => resolveExit(`wrangler dev exited (${signal ?? `code ${code}`})`));
		child.once("error", (error) => resolveExit(`wrangler dev could not start: ${error.message}`));
	});
	if (child.pid === undefined) throw new Error("wrangler dev could not be spawned");
	return { pid: child.pid, exited, stop: () => stopGroup(child) };
}
