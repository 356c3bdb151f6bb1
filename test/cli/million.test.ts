// 1,000,000 origins published by the real command into a real local KV directory, then
// served by the real Worker under `wrangler dev` from that same directory.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMinimalUpstream, type Upstream } from "../../tools/upstream.ts";
import { runWrangler, startWranglerDev, type WranglerDev } from "../../tools/wrangler.ts";
import { cli, tempDir, writeDocument } from "../support/cli.ts";

const N = 1_000_000;
const tenant = (i: number) => `https://tenant-${i}.platform.example`;
// Ports of the command-line tests' range (18600–18699).
const GATEWAY_PORT = 18610;
const INSPECTOR_PORT = 18611;
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;

let dir: string;
let kv: string;
let upstream: Upstream | undefined;
let gateway: WranglerDev | undefined;
let publishMs = 0;
let pushed: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
	dir = await tempDir();
	kv = join(dir, "kv");
	const origins = Array.from({ length: N }, (_, i) => tenant(i));
	origins.push("https://*.eu.customers.example", "https://app.example.com");
	const file = await writeDocument(dir, "million.json", { origins, credentials: true });
	const started = performance.now();
	pushed = await cli(["push", file, "--yes", "--persist-to", kv]);
	publishMs = performance.now() - started;
	console.info(`published ${N.toLocaleString("en")} origins in ${(publishMs / 1000).toFixed(1)} s`);

	upstream = await startMinimalUpstream();
	gateway = startWranglerDev({
		port: GATEWAY_PORT,
		inspectorPort: INSPECTOR_PORT,
		persistDir: kv,
		output: { file: join(dir, "wrangler.log") },
		vars: { UPSTREAM_URL: upstream.url },
	});
	for (let ready = false; !ready; ) {
		const exited = await Promise.race([gateway.exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
		if (typeof exited === "string") throw new Error(exited);
		ready = await fetch(GATEWAY).then(
			() => true,
			() => false,
		);
	}
}, 600_000);

afterAll(async () => {
	await gateway?.stop();
	await upstream?.close();
	await rm(dir, { recursive: true, force: true });
});

describe(`${N.toLocaleString("en")} origins, published by the command line`, () => {
	it("are stored as 1,024 shards, a filter and the document naming them", async () => {
		expect(pushed.code, pushed.stderr).toBe(0);
		expect(pushed.stderr).toContain(`publishing 1,000,002 entries as 1024 shards`);
		const run = await runWrangler(["kv", "key", "list", "--binding", "ALLOWLIST", "--local", "--persist-to", kv]);
		expect(JSON.parse(run.stdout)).toHaveLength(1 + 1 + 1024);
	});

	it.each([
		["the first tenant", tenant(0), 200],
		["the last tenant", tenant(N - 1), 200],
		["one in the middle", tenant(512_345), 200],
		["a wildcard hit", "https://shop.eu.customers.example", 200],
		["an exact origin", "https://app.example.com", 200],
		["one past the last tenant", tenant(N), 403],
		["the wildcard's apex", "https://eu.customers.example", 403],
		["a look-alike", "https://tenant-1.platform.example.evil.example", 403],
		["another scheme", "http://tenant-1.platform.example", 403],
	])("are served by the Worker: %s → %d", async (_what, origin, status) => {
		const res = await fetch(`${GATEWAY}/api`, { headers: { origin } });
		expect(res.status).toBe(status);
		expect(res.headers.get("access-control-allow-origin")).toBe(status === 200 ? origin : null);
		expect(res.headers.get("access-control-allow-credentials")).toBe(status === 200 ? "true" : null);
		await res.arrayBuffer();
	});
});
