#!/usr/bin/env node
// `npm run dev`: the gateway on http://127.0.0.1:8787, offline, on embedded defaults.
//
// 1. seeds the local KV key `allowlist` (binding ALLOWLIST) from allowlist.example.json,
//    in wrangler's local persisted storage (.wrangler/state), as
//    `wrangler kv key put --local --binding ALLOWLIST allowlist --path allowlist.example.json`;
// 2. starts the demo upstream (scripts/demo-upstream.mjs) on 127.0.0.1:8788;
// 3. runs `wrangler dev` with the route table `/api` -> the demo upstream and everything
//    else -> the bundled static assets (public/), so both kinds of route are on show:
//    from wrangler.demo.toml, which is wrangler.toml with [assets] (the deployed default
//    has none); extra arguments are passed on (`npm run dev -- --var CORS_DEBUG:true`).
// Ctrl+C (SIGINT) or SIGTERM stops wrangler; the demo upstream stops when wrangler exits.
//
// Offline and quiet by design: wrangler runs with the environment of scripts/wrangler.mjs
// (no Request.cf download, no metrics, no banner; this script prints the version itself).
// Environment: DEMO_UPSTREAM_PORT (default 8788), ALLOWLIST_FILE (default
// allowlist.example.json).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { demoUpstreamPort, startDemoUpstream } from "./demo-upstream.mjs";
import { putAllowlistArgs, root, runWrangler, wranglerBin, wranglerEnv } from "./wrangler.mjs";

const [MIN_MAJOR, MIN_MINOR] = [22, 12];

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < MIN_MAJOR || (major === MIN_MAJOR && minor < MIN_MINOR)) {
	console.error(
		`cors-gateway dev: Node ${process.versions.node} is too old for wrangler (needs >= ${MIN_MAJOR}.${MIN_MINOR}).\n` +
			"Run it as `npm run dev`: npm scripts use the Node 24 installed in node_modules.",
	);
	process.exit(1);
}
if (!existsSync(wranglerBin)) {
	console.error("cors-gateway dev: wrangler is not installed; run `npm ci` first.");
	process.exit(1);
}

const wranglerVersion = JSON.parse(
	readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8"),
).version;
const allowlistFile = process.env.ALLOWLIST_FILE ?? "allowlist.example.json";
const upstreamPort = demoUpstreamPort([]);

// 1. Seed the local allowlist.
const seed = await runWrangler(putAllowlistArgs(allowlistFile));
if (seed.code !== 0) {
	process.stderr.write(seed.output);
	console.error(`cors-gateway dev: could not seed the local allowlist from ${allowlistFile}.`);
	process.exit(1);
}
console.log(`cors-gateway dev: local KV ALLOWLIST key "allowlist" <- ${allowlistFile}`);

// 2. Start the demo upstream.
let upstream;
try {
	upstream = await startDemoUpstream(upstreamPort);
} catch (error) {
	console.error(
		`cors-gateway dev: cannot start the demo upstream on 127.0.0.1:${upstreamPort} (${error instanceof Error ? error.message : error}).\n` +
			"Set DEMO_UPSTREAM_PORT to another port.",
	);
	process.exit(1);
}
const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
console.log(`cors-gateway dev: routes /api -> demo upstream ${upstreamUrl}, / -> public/ assets`);

// 3. Run wrangler dev in the foreground.
console.log(`cors-gateway dev: wrangler ${wranglerVersion} dev (Node ${process.versions.node})`);
const wrangler = spawn(
	process.execPath,
	// Host and port (127.0.0.1:8787) come from [dev] in wrangler.demo.toml; `-- --port N` overrides.
	[
		wranglerBin,
		"dev",
		"--config",
		"wrangler.demo.toml",
		"--var",
		`UPSTREAM_URL:${upstreamUrl}`,
		"--var",
		`ROUTES:${JSON.stringify({ "/": "assets", "/api": upstreamUrl })}`,
		...process.argv.slice(2),
	],
	{ cwd: root, env: wranglerEnv, stdio: "inherit" },
);

let stopping = false;
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
	process.on(signal, () => {
		// On Ctrl+C the terminal already signalled wrangler (same process group); forwarding
		// once more is harmless, and needed when only this process was signalled.
		if (!stopping) {
			stopping = true;
			wrangler.kill(signal);
		}
	});
}

wrangler.on("error", (error) => {
	console.error(`cors-gateway dev: cannot start wrangler: ${error.message}`);
	upstream.close();
	process.exit(1);
});
wrangler.on("exit", (code, signal) => {
	upstream.closeAllConnections();
	upstream.close(() => {
		process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
	});
});
