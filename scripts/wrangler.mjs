// wrangler, run the way the project runs it: its JS entry on this Node.js (24, from
// node_modules, under npm scripts), offline and quiet. Shared by `npm run dev`, the soak
// run and the test harnesses.
// Offline and quiet as the command line runs it (QUIET_WRANGLER_ENV), each setting only a
// default that the environment may override.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { QUIET_WRANGLER_ENV, wranglerArgs } from "../src/cli/kv.ts";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const wranglerBin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

export const wranglerEnv = { ...QUIET_WRANGLER_ENV, ...process.env };

/**
 * Runs wrangler to completion with its output (stdout and stderr) captured.
 * @param {string[]} args
 * @returns {Promise<{ code: number | null; output: string }>}
 */
export function runWrangler(args) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, [wranglerBin, ...args], {
			cwd: root,
			env: wranglerEnv,
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr.on("data", (chunk) => {
			output += chunk;
		});
		child.on("error", reject);
		child.on("close", (code) => resolvePromise({ code, output }));
	});
}

/**
 * Runs wrangler; rejects with its output when it fails.
 * @param {string[]} args
 * @returns {Promise<string>}
 */
export async function runWranglerOrFail(args) {
	const { code, output } = await runWrangler(args);
	if (code !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code}):\n${output}`);
	return output;
}

/**
 * The arguments that store `file` under the local ALLOWLIST key `allowlist`, as the
 * command line does: in `persistDir`, or wrangler's default local store (what `npm run dev` uses).
 * @param {string} file
 * @param {string} [persistDir]
 * @returns {string[]}
 */
export function putAllowlistArgs(file, persistDir) {
	return wranglerArgs({ put: file }, { remote: false, persistTo: persistDir });
}
