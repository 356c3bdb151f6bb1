// wrangler, run the way the project runs it: its JS entry on this Node.js (24, from
// node_modules, under npm scripts), offline and quiet. Shared by `npm run dev`, the soak
// run and the test harnesses.
//
// Offline and quiet through wrangler's documented environment variables, each only a
// default that the environment may override:
// - CLOUDFLARE_CF_FETCH_ENABLED=false: miniflare does not download the `Request.cf` object
//   from workers.cloudflare.com (and does not warn when it cannot);
// - WRANGLER_SEND_METRICS=false: no usage metrics;
// - WRANGLER_HIDE_BANNER=true: no banner, hence no npm registry update check behind it.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const wranglerBin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

export const wranglerEnv = {
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_HIDE_BANNER: "true",
	...process.env,
};

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
 * The arguments that store `file` under the local ALLOWLIST key `allowlist`, as a user
 * would: in `persistDir`, or wrangler's default local store (what `npm run dev` uses).
 * @param {string} file
 * @param {string} [persistDir]
 * @returns {string[]}
 */
export function putAllowlistArgs(file, persistDir) {
	return [
		"kv",
		"key",
		"put",
		"allowlist",
		"--binding",
		"ALLOWLIST",
		"--local",
		...(persistDir === undefined ? [] : ["--persist-to", persistDir]),
		"--path",
		file,
	];
}
