// `npm run soak`: sustained concurrent traffic through `wrangler dev` on loopback.
//
// Starts a local upstream (the echo of tools/upstream.ts) and the gateway under `wrangler dev`
// with its own temporary `--persist-to` directory and a seeded local KV allowlist, then
// drives a mix of allowed, refused and preflight requests (with and without bodies, of up
// to 256 KiB, on fetch's keep-alive connections) from N concurrent clients for a bounded
// time (and at most --max-requests requests; at most 60 s past --duration while an
// allowlist change is still to be seen). Mid-run it changes the allowlist twice
// (A → B → A, with `wrangler kv key put --local`), and checks every response against
// what policy A or policy B allows, computed by the project's own policy core: a response
// consistent with neither (a failure, a wrong status or CORS header, or a half-applied
// allowlist) is an error, and so are any request reaching the upstream that should not,
// any connection error (a reset, a closed socket) and any timeout.
// It reports errors, latency percentiles, the workerd process's RSS and the Worker isolate's
// JavaScript heap over time (read through wrangler dev's inspector port), stops every
// process it started (also on failure or Ctrl+C) and exits non-zero on any error, or when
// the isolate's live heap (after a full collection) grows by more than
// --max-heap-growth-mib from the end of the warm-up (20 % of the run) to the end.
// The RSS is reported, not judged: wrangler dev's workerd grows with the request count
// even for a Worker that only answers "ok" (wrangler's own proxy workers share the process).
// Before the load, raw open-proxy probes (soak/open-proxy-probes.ts) must not make the
// gateway contact a decoy server.
//
// soak/plan.ts holds the allowlists and the request mix, soak/drive.ts the load,
// soak/check.ts the judgement and the report; this file starts and stops everything.
//
//   npm run soak -- [--duration 60] [--concurrency 16] [--max-requests 2000000]
//                   [--port 18900] [--refresh 2] [--max-heap-growth-mib 2]
// Ports: --port (wrangler dev), +1 (its inspector), +2 (the upstream), +3 (the decoy).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type WorkerInspector, wranglerDevInspector } from "../tools/inspector.ts";
import { startEchoUpstream, type Upstream } from "../tools/upstream.ts";
import { putAllowlistFile, startWranglerDev, type WranglerDev } from "../tools/wrangler.ts";
import { refusalLines, report, Verdict } from "./soak/check.ts";
import { drive } from "./soak/drive.ts";
import { findWorkerd, liveHeapMib, memoryMib } from "./soak/memory.ts";
import { probeOpenProxy } from "./soak/open-proxy-probes.ts";
import { expectations, POLICY_A } from "./soak/plan.ts";

const { values: flags } = parseArgs({
	options: {
		duration: { type: "string", default: "60" },
		concurrency: { type: "string", default: "16" },
		"max-requests": { type: "string", default: "2000000" },
		port: { type: "string", default: "18900" },
		refresh: { type: "string", default: "2" },
		"max-heap-growth-mib": { type: "string", default: "2" },
	},
});
const numberFlag = (name: keyof typeof flags, min: number) => {
	const value = Number(flags[name]);
	if (!Number.isFinite(value) || value < min) {
		console.error(`soak: --${name} must be a number of at least ${min}`);
		process.exit(2);
	}
	return value;
};
const durationMs = numberFlag("duration", 5) * 1000;
const concurrency = Math.floor(numberFlag("concurrency", 1));
const maxRequests = Math.floor(numberFlag("max-requests", 1));
const port = Math.floor(numberFlag("port", 1024));
const refreshSeconds = numberFlag("refresh", 0);
const maxHeapGrowthMib = numberFlag("max-heap-growth-mib", 0);
const gatewayUrl = `http://127.0.0.1:${port}`;

let wrangler: WranglerDev | undefined;
let upstream: Upstream | undefined;
let inspector: WorkerInspector | undefined;
let workDir = "";

async function putAllowlist(doc: object): Promise<void> {
	const file = join(workDir, "allowlist.json");
	await writeFile(file, JSON.stringify(doc));
	await putAllowlistFile(file, workDir);
}

async function stopAll(): Promise<void> {
	inspector?.close();
	// Its process group: wrangler, and the workerd it runs.
	await wrangler?.stop();
	await upstream?.close();
	if (workDir !== "") await rm(workDir, { recursive: true, force: true });
}

async function main(): Promise<boolean> {
	workDir = await mkdtemp(join(tmpdir(), "cors-gateway-soak-"));
	console.log(`soak: ${durationMs / 1000} s, ${concurrency} concurrent clients, on ${gatewayUrl}`);
	await putAllowlist(POLICY_A);
	upstream = await startEchoUpstream(port + 2);

	const logFile = join(workDir, "wrangler.log");
	wrangler = startWranglerDev({
		port,
		inspectorPort: port + 1,
		persistDir: workDir,
		vars: {
			UPSTREAM_URL: upstream.url,
			ALLOWLIST_REFRESH_SECONDS: String(refreshSeconds),
			// Each refusal is checked against its own log line, so none may go to a summary.
			REFUSAL_LOG_LIMIT: "1000000000",
		},
		output: { file: logFile },
	});
	let exited: string | undefined;
	void wrangler.exited.then((reason) => {
		exited = reason;
	});
	const wranglerLog = () => readFile(logFile, "utf8");

	// Ready when it answers a request without Origin (forwarded to the upstream).
	const readyBy = Date.now() + 60_000;
	for (;;) {
		if (exited !== undefined) throw new Error(`${exited} early:\n${await wranglerLog()}`);
		try {
			const res = await fetch(`${gatewayUrl}/ready`);
			await res.arrayBuffer();
			if (res.status === 200) break;
		} catch {}
		if (Date.now() > readyBy) throw new Error(`wrangler dev did not answer within 60 s:\n${await wranglerLog()}`);
		await sleep(250);
	}
	const workerdPid = await findWorkerd(wrangler.child.pid as number);
	if (workerdPid === 0) throw new Error("soak: no workerd process found under wrangler dev");

	const verdict = new Verdict();

	// Not an open proxy, on the wire.
	const wire = await probeOpenProxy(port, port + 3);
	console.log(`open-proxy probes (decoy on port ${port + 3}):`);
	for (const probe of wire.probes) console.log(`  ${probe.name}: ${probe.status}`);
	console.log(`  decoy connections: ${wire.decoyConnections}`);
	if (wire.decoyConnections !== 0) verdict.fail(`the decoy accepted ${wire.decoyConnections} connections`);
	const isolate = await wranglerDevInspector(port + 1);
	inspector = isolate;
	const refusalLinesBefore = refusalLines(await wranglerLog());
	const receivedBefore = upstream.received();

	const driven = await drive({
		gatewayUrl,
		concurrency,
		durationMs,
		maxRequests,
		expectations: expectations(gatewayUrl),
		verdict,
		putAllowlist,
		memory: () => memoryMib(workerdPid, isolate),
		liveHeap: () => liveHeapMib(isolate),
	});
	const upstreamReceived = upstream.received() - receivedBefore;
	// Let the last requests' log lines arrive.
	await sleep(500);
	report(
		{
			...driven,
			upstreamReceived,
			refusalLines: refusalLines(await wranglerLog()) - refusalLinesBefore,
			liveHeap: { warm: driven.warmLiveHeap, end: await liveHeapMib(isolate) },
			maxHeapGrowthMib,
		},
		verdict,
	);
	return verdict.count === 0;
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.once(signal, () => {
		interrupted = true;
		console.error(`soak: ${signal}, stopping`);
		stopAll().finally(() => process.exit(130));
	});
}

let ok = false;
try {
	ok = await main();
} catch (error) {
	console.error(error instanceof Error ? error.message : String(error));
} finally {
	if (!interrupted) await stopAll();
}
console.log(ok ? "soak: PASS" : "soak: FAIL");
process.exit(ok ? 0 : 1);
