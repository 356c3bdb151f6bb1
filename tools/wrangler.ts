// wrangler as the project's tools run it (`npm run dev`, the soak run, the bench and the
// test harnesses): through the command line's own runner (src/cli/kv.ts: its JS entry on
// this Node.js, offline and quiet), in the project's directory; `wrangler dev` either in
// the foreground of a terminal or in a process group of its own, stopped as one.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { resolve } from "node:path";
import { WranglerError } from "../src/cli/errors.ts";
import {
	runWrangler as runCliWrangler,
	type WranglerResult,
	wranglerArgs,
	wranglerEntry,
	wranglerEnv,
} from "../src/cli/kv.ts";
import { spawnGroup, stopGroup } from "./process-group.ts";

export const ROOT = resolve(import.meta.dirname, "..");

/** Runs wrangler to completion with its output captured, in `cwd` (default: the project). */
export function runWrangler(args: string[], cwd = ROOT): Promise<WranglerResult> {
	return runCliWrangler(args, cwd);
}

/**
 * Runs wrangler in the foreground on this process's stdio, so its progress (and any
 * question it asks, on a terminal) is the user's; resolves with its exit code.
 */
export function runWranglerAttached(args: string[], cwd = ROOT): Promise<number> {
	return new Promise((resolveRun, fail) => {
		const child = spawn(process.execPath, [wranglerEntry(), ...args], { cwd, env: wranglerEnv(), stdio: "inherit" });
		child.on("error", (error) => fail(new WranglerError(`cannot start wrangler: ${error.message}`, 1)));
		child.on("close", (code) => resolveRun(code ?? 1));
	});
}

/** Runs wrangler; rejects with its output when it fails, else resolves with it (stdout, then stderr). */
export async function runWranglerOrFail(args: string[]): Promise<string> {
	const { code, stdout, stderr } = await runWrangler(args);
	const output = stdout + stderr;
	if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code}):\n${output}`);
	return output;
}

/**
 * The arguments that store `file` under the local ALLOWLIST key `allowlist`, as the
 * command line does: in `persistDir`, or wrangler's default local store (what `npm run dev` uses).
 */
export function putAllowlistArgs(file: string, persistDir?: string): string[] {
	return wranglerArgs({ put: file }, { remote: false, persistTo: persistDir });
}

/** `wrangler kv key put --local`: the local ALLOWLIST key `allowlist` (of `persistDir`) <- file. */
export async function putAllowlistFile(file: string, persistDir?: string): Promise<void> {
	await runWranglerOrFail(putAllowlistArgs(file, persistDir));
}

export interface WranglerDevOptions {
	/** A wrangler configuration file other than wrangler.toml. */
	config?: string;
	/** On 127.0.0.1 (else [dev] in the configuration decides). */
	port?: number;
	inspectorPort?: number;
	/** Its local KV and other state (else .wrangler/state). */
	persistDir?: string;
	vars: Record<string, string>;
	/** More of wrangler's own arguments, passed on as given. */
	args?: string[];
	/**
	 * "terminal": in the foreground, on this process's stdio, its interactive session included
	 * (Ctrl+C at the terminal reaches it). A file: its stdout and stderr go there, and it runs
	 * in a process group of its own, which stop() ends as a whole (workerd included).
	 */
	output: "terminal" | { file: string };
}

export interface WranglerDev {
	child: ChildProcess;
	/** Resolves with a description when the process exits. */
	exited: Promise<string>;
	stop(): Promise<void>;
}

/** Starts `wrangler dev` in the project's directory. */
export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
	const args = [
		wranglerEntry(),
		"dev",
		...(options.config === undefined ? [] : ["--config", options.config]),
		...(options.port === undefined ? [] : ["--ip", "127.0.0.1", "--port", String(options.port)]),
		...(options.inspectorPort === undefined ? [] : ["--inspector-port", String(options.inspectorPort)]),
		...(options.persistDir === undefined ? [] : ["--persist-to", options.persistDir]),
		...(options.output === "terminal" ? [] : ["--show-interactive-dev-session=false"]),
		...Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
		...(options.args ?? []),
	];
	let child: ChildProcess;
	let stop: () => Promise<void>;
	if (options.output === "terminal") {
		child = spawn(process.execPath, args, { cwd: ROOT, env: wranglerEnv(), stdio: "inherit" });
		stop = async () => {
			if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
		};
	} else {
		const log = openSync(options.output.file, "a");
		child = spawnGroup(process.execPath, args, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", log, log] });
		closeSync(log);
		stop = () => stopGroup(child);
	}
	const exited = new Promise<string>((resolveExit) => {
		child.once("exit", (code, signal) => resolveExit(`wrangler dev exited (${signal ?? `code ${code}`})`));
		child.once("error", (error) => resolveExit(`wrangler dev could not start: ${error.message}`));
	});
	return { child, exited, stop };
}
