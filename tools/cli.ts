// The real `cors-gateway` command (bin/cors-gateway.mjs on the project's Node.js, as npx
// runs it), or a script of the project, as a child process, the way the tests and the
// bench run it: as in CI (no prompt, no colours), wrangler quiet.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { QUIET_WRANGLER_ENV } from "../src/cli/kv.ts";
import { ROOT } from "./wrangler.ts";

export const NODE = join(ROOT, "node_modules", ".bin", "node");
export const BIN = join(ROOT, "bin", "cors-gateway.mjs");

/** Forced over the environment: the command as in CI (no prompt, no colours), wrangler quiet. */
export const QUIET_ENV = { CI: "true", ...QUIET_WRANGLER_ENV };

export interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

export interface RunOptions {
	/** Written to stdin, which is then closed; stdin is an empty pipe otherwise (never a terminal). */
	input?: string;
	/** Default: the project. */
	cwd?: string;
	env?: Record<string, string | undefined>;
}

/** Runs `cors-gateway ARGS` to completion with its output captured. */
export function cli(args: string[], options: RunOptions = {}): Promise<Run> {
	return runScript(BIN, args, options);
}

/** Runs a script of the project (`scripts/deploy.ts`) on its Node.js, as `npm run` does, the same way. */
export function runScript(script: string, args: string[], options: RunOptions = {}): Promise<Run> {
	const child = spawn(NODE, [script, ...args], {
		cwd: options.cwd ?? ROOT,
		env: { ...process.env, ...QUIET_ENV, ...options.env },
	});
	child.stdin.end(options.input ?? "");
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (chunk) => {
		stdout += chunk;
	});
	child.stderr.on("data", (chunk) => {
		stderr += chunk;
	});
	return new Promise((done, fail) => {
		child.on("error", fail);
		child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
	});
}
