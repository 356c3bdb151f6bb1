// `npm run dev`: the gateway on http://127.0.0.1:8787, offline, on embedded defaults.
//
// 1. seeds the local KV key `allowlist` (binding ALLOWLIST) from allowlist.example.json,
//    in wrangler's local persisted storage (.wrangler/state), as
//    `wrangler kv key put --local --binding ALLOWLIST allowlist --path allowlist.example.json`;
// 2. starts the demo upstream (tools/upstream.ts, its echo) on 127.0.0.1:8788;
// 3. runs `wrangler dev` with the route table `/api` -> the demo upstream and everything
//    else -> the bundled static assets (public/), so both kinds of route are on show:
//    from wrangler.demo.toml, which is wrangler.toml with [assets] (the deployed default
//    has none); extra arguments are passed on (`npm run dev -- --var CORS_DEBUG:true`).
// Ctrl+C (SIGINT) or SIGTERM stops wrangler; the demo upstream stops when wrangler exits.
//
// Offline and quiet by design: wrangler runs as tools/wrangler.ts runs it (no Request.cf
// download, no metrics, no banner; this script prints the version itself).
// Environment: DEMO_UPSTREAM_PORT (default 8788), ALLOWLIST_FILE (default
// allowlist.example.json).
import { createRequire } from "node:module";
import { startEchoUpstream, type Upstream } from "../tools/upstream.ts";
import { putAllowlistArgs, runWrangler, startWranglerDev } from "../tools/wrangler.ts";

const DEFAULT_UPSTREAM_PORT = 8788;

/** DEMO_UPSTREAM_PORT, else 8788. */
function upstreamPort(value = process.env.DEMO_UPSTREAM_PORT): number {
	if (value === undefined || value === "") return DEFAULT_UPSTREAM_PORT;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		console.error(`cors-gateway dev: invalid DEMO_UPSTREAM_PORT ${JSON.stringify(value)}`);
		process.exit(1);
	}
	return port;
}

const wranglerVersion = (createRequire(import.meta.url)("wrangler/package.json") as { version: string }).version;
const allowlistFile = process.env.ALLOWLIST_FILE ?? "allowlist.example.json";
const port = upstreamPort();

// 1. Seed the local allowlist.
const seed = await runWrangler(putAllowlistArgs(allowlistFile));
if (seed.code !== 0) {
	process.stderr.write(seed.stdout + seed.stderr);
	console.error(`cors-gateway dev: could not seed the local allowlist from ${allowlistFile}.`);
	process.exit(1);
}
console.log(`cors-gateway dev: local KV ALLOWLIST key "allowlist" <- ${allowlistFile}`);

// 2. Start the demo upstream.
let upstream: Upstream;
try {
	upstream = await startEchoUpstream(port);
} catch (error) {
	console.error(
		`cors-gateway dev: cannot start the demo upstream on 127.0.0.1:${port} (${error instanceof Error ? error.message : error}).\n` +
			"Set DEMO_UPSTREAM_PORT to another port.",
	);
	process.exit(1);
}
console.log(`cors-gateway dev: routes /api -> demo upstream ${upstream.url}, / -> public/ assets`);

// 3. Run wrangler dev in the foreground. Host and port (127.0.0.1:8787) come from [dev] in
// wrangler.demo.toml; `-- --port N` overrides.
console.log(`cors-gateway dev: wrangler ${wranglerVersion} dev (Node ${process.versions.node})`);
const { child: wrangler } = startWranglerDev({
	config: "wrangler.demo.toml",
	vars: { UPSTREAM_URL: upstream.url, ROUTES: JSON.stringify({ "/": "assets", "/api": upstream.url }) },
	args: process.argv.slice(2),
	output: "terminal",
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
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
	void upstream.close();
	process.exit(1);
});
wrangler.on("exit", (code, signal) => {
	void upstream.close().then(() => {
		process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
	});
});
