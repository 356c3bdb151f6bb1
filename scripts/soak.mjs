#!/usr/bin/env node
// `npm run soak`: sustained concurrent traffic through `wrangler dev` on loopback.
//
// Starts a local upstream (scripts/demo-upstream.mjs) and the gateway under `wrangler dev`
// with its own temporary `--persist-to` directory and a seeded local KV allowlist, then
// drives a mix of allowed, refused and preflight requests (with and without bodies, of up
// to 256 KiB, on fetch's keep-alive connections) from N concurrent clients for a bounded time (and at most --max-requests requests; at most 60 s past --duration while an
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
//
//   npm run soak -- [--duration 60] [--concurrency 16] [--max-requests 2000000]
//                   [--port 18900] [--refresh 2] [--max-heap-growth-mib 2]
// Before the load, raw open-proxy probes (scripts/open-proxy-probes.mjs) must not make the
// gateway contact a decoy server.
// Ports: --port (wrangler dev), +1 (its inspector), +2 (the upstream), +3 (the decoy).
import { spawn } from "node:child_process";
import diagnostics from "node:diagnostics_channel";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compileAllowlist } from "../src/policy/index.ts";
import { startDemoUpstream } from "./demo-upstream.mjs";
import { probeOpenProxy } from "./open-proxy-probes.mjs";
import { connectInspector } from "./worker-inspector.mjs";
import { putAllowlistArgs, root, runWranglerOrFail, wranglerBin, wranglerEnv } from "./wrangler.mjs";

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
const numberFlag = (/** @type {string} */ name, /** @type {number} */ min) => {
	const value = Number(flags[/** @type {keyof typeof flags} */ (name)]);
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
const upstreamPort = port + 2;

// --- the two allowlists and the request mix ------------------------------------------

// Chosen so that A and B disagree on origins, methods and headers: a request decided with
// parts of both (a half-applied allowlist) gets an answer that neither would give.
const POLICY_A = {
	origins: ["https://app.example.com", "https://*.tenant.example.com"],
	methods: ["GET", "HEAD", "POST", "PUT"],
	headers: ["x-custom"],
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};
const POLICY_B = {
	origins: ["https://app.example.com", "https://new.example.org"],
	methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
	headers: ["x-custom", "x-other"],
	exposeHeaders: ["x-request-id", "x-trace"],
	credentials: true,
	maxAge: 300,
};

// Bodies of several sizes, on allowed requests (streamed to the upstream) and on refused
// ones (never read by the gateway): a refusal must leave its keep-alive connection usable.
const BODY = { small: '{"n":1}', "64 KiB": "x".repeat(64 * 1024), "256 KiB": "x".repeat(256 * 1024) };
/** @typedef {{ name: string, method: string, headers: Record<string, string>, body?: string }} Shape */
/** @type {Shape[]} */
const SHAPES = [
	{ name: "allowed GET", method: "GET", headers: { origin: "https://app.example.com" } },
	{ name: "allowed POST", method: "POST", headers: { origin: "https://app.example.com" }, body: BODY.small },
	{
		name: "allowed PUT, 256 KiB",
		method: "PUT",
		headers: { origin: "https://app.example.com" },
		body: BODY["256 KiB"],
	},
	{ name: "refused POST", method: "POST", headers: { origin: "https://evil.example.net" }, body: BODY.small },
	{
		name: "refused POST, 64 KiB",
		method: "POST",
		headers: { origin: "https://evil.example.net" },
		body: BODY["64 KiB"],
	},
	{
		name: "refused PUT, 256 KiB",
		method: "PUT",
		headers: { origin: "https://evil.example.net" },
		body: BODY["256 KiB"],
	},
	{ name: "malformed Origin POST", method: "POST", headers: { origin: "https://app.example.com/" }, body: BODY.small },
	{ name: "wildcard GET (A only)", method: "GET", headers: { origin: "https://shop.tenant.example.com" } },
	{ name: "new origin GET (B only)", method: "GET", headers: { origin: "https://new.example.org" } },
	{ name: "refused GET", method: "GET", headers: { origin: "https://evil.example.net" } },
	{ name: "malformed Origin", method: "GET", headers: { origin: "https://app.example.com/" } },
	{ name: "no Origin", method: "GET", headers: {} },
	{
		name: "preflight PUT x-custom",
		method: "OPTIONS",
		headers: {
			origin: "https://app.example.com",
			"access-control-request-method": "PUT",
			"access-control-request-headers": "x-custom",
		},
	},
	{
		name: "preflight DELETE (B only)",
		method: "OPTIONS",
		headers: { origin: "https://new.example.org", "access-control-request-method": "DELETE" },
	},
	{
		// Refused by A (method) and by B (origin): approved only by a half-applied mix.
		name: "preflight DELETE from the wildcard (neither)",
		method: "OPTIONS",
		headers: { origin: "https://shop.tenant.example.com", "access-control-request-method": "DELETE" },
	},
	{
		name: "preflight x-other (B only)",
		method: "OPTIONS",
		headers: {
			origin: "https://app.example.com",
			"access-control-request-method": "GET",
			"access-control-request-headers": "x-other",
		},
	},
	{
		name: "refused preflight",
		method: "OPTIONS",
		headers: { origin: "https://evil.example.net", "access-control-request-method": "GET" },
	},
];

function compile(/** @type {unknown} */ doc) {
	const result = compileAllowlist(/** @type {object} */ (doc));
	if (!result.ok) throw new Error(`soak: invalid built-in policy: ${JSON.stringify(result.problems)}`);
	return result.policy;
}

/**
 * What a policy says a shape's response must be: the status, and the exact set of
 * `access-control-*` headers (lowercased names → values).
 * @param {import("../src/policy/index.ts").CorsPolicy} policy
 * @param {Shape} shape
 */
function expected(policy, shape) {
	const decision = policy.decide({
		method: shape.method,
		origin: shape.headers.origin ?? null,
		requestMethod: shape.headers["access-control-request-method"] ?? null,
		requestHeaders: shape.headers["access-control-request-headers"] ?? null,
		selfOrigin: gatewayUrl,
		host: "127.0.0.1",
		path: "/api/soak",
	});
	const status = decision.action === "preflight" ? 204 : decision.action === "refuse" ? 403 : 200;
	const cors = Object.fromEntries(
		decision.headers
			.filter(([name]) => name.toLowerCase().startsWith("access-control-"))
			.map(([name, value]) => [name.toLowerCase(), value]),
	);
	return { status, cors: JSON.stringify(Object.entries(cors).sort()), forwarded: status === 200 };
}

const policies = { A: compile(POLICY_A), B: compile(POLICY_B) };
const expectations = SHAPES.map((shape) => ({ A: expected(policies.A, shape), B: expected(policies.B, shape) }));

// --- processes -----------------------------------------------------------------------

/** @type {import("node:child_process").ChildProcess | undefined} */
let wrangler;
/** @type {import("node:http").Server | undefined} */
let upstream;
let workDir = "";
let workerdPid = 0;
/** @type {Awaited<ReturnType<typeof connectInspector>> | undefined} */
let inspector;

async function putAllowlist(/** @type {unknown} */ doc) {
	const file = join(workDir, "allowlist.json");
	await writeFile(file, JSON.stringify(doc));
	await runWranglerOrFail(putAllowlistArgs(file, workDir));
}

/** The PIDs of every descendant of `pid`, from /proc. */
async function descendants(/** @type {number} */ pid) {
	/** @type {Map<number, number[]>} */
	const children = new Map();
	for (const entry of await readdir("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = await readFile(`/proc/${entry}/stat`, "utf8");
			const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
		} catch {
			// The process ended while we looked.
		}
	}
	const out = [];
	const queue = [pid];
	while (queue.length > 0) {
		for (const child of children.get(/** @type {number} */ (queue.shift())) ?? []) {
			out.push(child);
			queue.push(child);
		}
	}
	return out;
}

async function findWorkerd(/** @type {number} */ pid) {
	for (const child of await descendants(pid)) {
		try {
			if ((await readFile(`/proc/${child}/comm`, "utf8")).trim() === "workerd") return child;
		} catch {}
	}
	return 0;
}

async function rssMib(/** @type {number} */ pid) {
	const status = await readFile(`/proc/${pid}/status`, "utf8");
	const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
	return kib / 1024;
}

function alive(/** @type {number} */ pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function stopAll() {
	inspector?.close();
	if (wrangler && wrangler.exitCode === null && wrangler.signalCode === null) {
		const exited = once(wrangler, "exit");
		wrangler.kill("SIGTERM");
		await Promise.race([exited, sleep(5000)]);
		if (wrangler.exitCode === null && wrangler.signalCode === null) wrangler.kill("SIGKILL");
	}
	// wrangler normally takes workerd down with it; make sure, by its own PID only.
	if (workerdPid !== 0 && alive(workerdPid)) {
		process.kill(workerdPid, "SIGTERM");
		await sleep(1000);
		if (alive(workerdPid)) process.kill(workerdPid, "SIGKILL");
	}
	if (upstream) {
		upstream.closeAllConnections();
		await new Promise((done) => upstream?.close(() => done(undefined)));
	}
	if (workDir !== "") await rm(workDir, { recursive: true, force: true });
}

const sleep = (/** @type {number} */ ms) => new Promise((done) => setTimeout(done, ms));

// --- the run -------------------------------------------------------------------------

async function main() {
	workDir = await mkdtemp(join(tmpdir(), "cors-gateway-soak-"));
	console.log(`soak: ${durationMs / 1000} s, ${concurrency} concurrent clients, on ${gatewayUrl}`);
	await putAllowlist(POLICY_A);

	let upstreamHits = 0;
	upstream = await startDemoUpstream(upstreamPort);
	upstream.on("request", () => {
		upstreamHits++;
	});

	const logFile = join(workDir, "wrangler.log");
	const logChunks = /** @type {Buffer[]} */ ([]);
	wrangler = spawn(
		process.execPath,
		[
			wranglerBin,
			"dev",
			"--ip",
			"127.0.0.1",
			"--port",
			String(port),
			"--inspector-port",
			String(port + 1),
			"--persist-to",
			workDir,
			"--show-interactive-dev-session=false",
			"--var",
			`UPSTREAM_URL:http://127.0.0.1:${upstreamPort}`,
			"--var",
			`ALLOWLIST_REFRESH_SECONDS:${refreshSeconds}`,
			// Each refusal is checked against its own log line, so none may go to a summary.
			"--var",
			"REFUSAL_LOG_LIMIT:1000000000",
		],
		{ cwd: root, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] },
	);
	for (const stream of [wrangler.stdout, wrangler.stderr]) stream?.on("data", (chunk) => logChunks.push(chunk));
	const wranglerLog = () => Buffer.concat(logChunks).toString("utf8");

	// Ready when it answers a request without Origin (forwarded to the upstream).
	const readyBy = Date.now() + 60_000;
	for (;;) {
		if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited early:\n${wranglerLog()}`);
		try {
			const res = await fetch(`${gatewayUrl}/ready`);
			await res.arrayBuffer();
			if (res.status === 200) break;
		} catch {}
		if (Date.now() > readyBy) throw new Error(`wrangler dev did not answer within 60 s:\n${wranglerLog()}`);
		await sleep(250);
	}
	workerdPid = await findWorkerd(/** @type {number} */ (wrangler.pid));
	if (workerdPid === 0) throw new Error("soak: no workerd process found under wrangler dev");

	/** @type {string[]} */
	const failures = [];
	let failureCount = 0;
	const fail = (/** @type {string} */ message) => {
		failureCount++;
		if (failures.length < 10) failures.push(message);
	};

	// Not an open proxy, on the wire.
	const wire = await probeOpenProxy(port, port + 3);
	console.log(`open-proxy probes (decoy on port ${port + 3}):`);
	for (const probe of wire.probes) console.log(`  ${probe.name}: ${probe.status}`);
	console.log(`  decoy connections: ${wire.decoyConnections}`);
	if (wire.decoyConnections !== 0) fail(`the decoy accepted ${wire.decoyConnections} connections`);
	inspector = await connectInspector(port + 1);
	const refusalLinesBefore = (wranglerLog().match(/"event":"cors-refused"/g) ?? []).length;
	const hitsBefore = upstreamHits;

	// Sustained load.
	const started = performance.now();
	const deadline = started + durationMs;
	const hardStop = deadline + 60_000;
	const latencies = new Float64Array(maxRequests);
	let sent = 0;
	let done = 0;
	let forwardedExpected = 0;
	let refusedCount = 0;
	let connectionErrors = 0;
	let timeouts = 0;
	// Connections fetch opened (Node's fetch keeps them alive and reuses them).
	let connectionsOpened = 0;
	diagnostics.subscribe("undici:client:connected", () => {
		connectionsOpened++;
	});
	const seen = { A: 0, B: 0, both: 0 };
	/** Each allowlist change: when it was written, and when an answer only the new policy gives first came. */
	/** @type {{ at: number, to: "A" | "B", effective: number }[]} */
	const changes = [];
	const observe = (/** @type {"A" | "B"} */ only) => {
		const change = changes.at(-1);
		if (change?.to === only && Number.isNaN(change.effective)) change.effective = (performance.now() - started) / 1000;
	};
	async function client(/** @type {number} */ id) {
		let i = id;
		// Past the deadline only while an allowlist change is still to be seen, and never past hardStop.
		const running = () => {
			const now = performance.now();
			if (now >= hardStop || sent >= maxRequests) return false;
			return now < deadline || !changesDone || Number.isNaN(changes.at(-1)?.effective ?? 0);
		};
		while (running()) {
			sent++;
			const index = i++ % SHAPES.length;
			const shape = /** @type {Shape} */ (SHAPES[index]);
			const expect = /** @type {(typeof expectations)[number]} */ (expectations[index]);
			const t0 = performance.now();
			try {
				const res = await fetch(`${gatewayUrl}/api/soak?c=${id}`, {
					method: shape.method,
					headers: shape.headers,
					body: shape.body,
					signal: AbortSignal.timeout(15_000),
				});
				await res.arrayBuffer();
				latencies[done++] = performance.now() - t0;
				const cors = JSON.stringify([...res.headers].filter(([name]) => name.startsWith("access-control-")).sort());
				const a = res.status === expect.A.status && cors === expect.A.cors;
				const b = res.status === expect.B.status && cors === expect.B.cors;
				if (a && b) seen.both++;
				else if (a) {
					seen.A++;
					observe("A");
				} else if (b) {
					seen.B++;
					observe("B");
				} else
					fail(
						`${shape.name}: ${res.status} ${cors} matches neither A (${expect.A.status} ${expect.A.cors}) nor B (${expect.B.status} ${expect.B.cors})`,
					);
				if (res.status === 403) refusedCount++;
				if (res.status === 200) forwardedExpected++;
			} catch (error) {
				latencies[done++] = performance.now() - t0;
				// A timeout, or a connection error: a reset, a write to a closed socket, a
				// connection closed before the answer (fetch's cause says which).
				if (error instanceof Error && error.name === "TimeoutError") timeouts++;
				else connectionErrors++;
				const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
				fail(`${shape.name}: ${error instanceof Error ? error.message : String(error)}${cause}`);
			}
		}
	}

	// Memory every second: workerd's RSS, and the Worker isolate's JavaScript heap.
	/** @type {[number, number, number][]} seconds, RSS MiB, heap MiB */
	const memory = [];
	const sample = async () => {
		const t = (performance.now() - started) / 1000;
		const [rss, heap] = await Promise.all([rssMib(workerdPid), inspector?.heapUsedMib() ?? Number.NaN]);
		memory.push([t, rss, heap]);
	};
	const sampler = setInterval(() => {
		sample().catch((error) => fail(`memory sample: ${error instanceof Error ? error.message : String(error)}`));
	}, 1000);
	await sample();

	// Allowlist changes mid-run: A → B at 15 % of the run, then back to A once B is seen in
	// effect (`wrangler kv key put` itself takes seconds on a busy machine).
	let changesDone = false;
	const changer = (async () => {
		const wait = started + durationMs * 0.15 - performance.now();
		if (wait > 0) await sleep(wait);
		for (const [doc, to] of /** @type {const} */ ([
			[POLICY_B, "B"],
			[POLICY_A, "A"],
		])) {
			if (changes.length > 0) {
				while (Number.isNaN(changes.at(-1)?.effective) && performance.now() < hardStop) await sleep(100);
				await sleep(1000);
			}
			if (performance.now() >= hardStop) break;
			await putAllowlist(doc);
			changes.push({ at: (performance.now() - started) / 1000, to, effective: Number.NaN });
		}
		changesDone = true;
	})();
	// The live heap once warmed up, measured under load.
	const warmLive = (async () => {
		await sleep(durationMs * 0.2);
		return /** @type {NonNullable<typeof inspector>} */ (inspector).liveHeapMib();
	})();

	await Promise.all(Array.from({ length: concurrency }, (_, id) => client(id)));
	const elapsed = (performance.now() - started) / 1000;
	await changer;
	clearInterval(sampler);
	await sample();

	// Refused and preflight requests must never have reached the upstream.
	const upstreamSeen = upstreamHits - hitsBefore;
	if (upstreamSeen !== forwardedExpected)
		fail(`the upstream received ${upstreamSeen} requests, but ${forwardedExpected} were forwarded answers`);
	// Every refusal is logged once (wrangler dev prints the Worker's console lines).
	await sleep(500);
	const refusalLines = (wranglerLog().match(/"event":"cors-refused"/g) ?? []).length - refusalLinesBefore;
	await writeFile(logFile, wranglerLog());

	// Report.
	const sorted = latencies.slice(0, done).sort();
	const pct = (/** @type {number} */ p) => sorted[Math.min(done - 1, Math.floor((p / 100) * done))]?.toFixed(1);
	console.log(
		`\nrequests:   ${done} in ${elapsed.toFixed(1)} s (${(done / elapsed).toFixed(0)}/s), ${concurrency} concurrent`,
	);
	console.log(`answers:    ${seen.both} same under A and B, ${seen.A} only A, ${seen.B} only B`);
	console.log(
		`changes:    ${changes.map((c) => `→${c.to} written at ${c.at.toFixed(1)} s, in effect by ${Number.isNaN(c.effective) ? "never" : `${c.effective.toFixed(1)} s`}`).join("; ")}`,
	);
	console.log(
		`connections: ${connectionsOpened} opened (keep-alive), ${connectionErrors} connection errors (resets, closed sockets), ${timeouts} timeouts`,
	);
	console.log(`refused:    ${refusedCount} responses, ${refusalLines} cors-refused log lines`);
	console.log(`upstream:   ${upstreamSeen} requests received, ${forwardedExpected} forwarded answers`);
	console.log(`latency ms: p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${sorted[done - 1]?.toFixed(1)}`);
	const step = Math.max(1, Math.floor(memory.length / 10));
	const timeline = memory.filter((_, k) => k % step === 0 || k === memory.length - 1);
	const mib = (/** @type {number} */ n) => n.toFixed(1);
	console.log(`workerd RSS MiB:   ${timeline.map(([t, rss]) => `${t.toFixed(0)}s:${rss.toFixed(0)}`).join(" ")}`);
	console.log(`isolate heap MiB:  ${timeline.map(([t, , heap]) => `${t.toFixed(0)}s:${mib(heap)}`).join(" ")}`);
	const first = /** @type {[number, number, number]} */ (memory[0]);
	const last = /** @type {[number, number, number]} */ (memory.at(-1));
	console.log(
		`workerd RSS:       start ${mib(first[1])}, end ${mib(last[1])}, peak ${mib(Math.max(...memory.map(([, r]) => r)))} MiB (${(((last[1] - first[1]) * 1024) / Math.max(1, done / 1000)).toFixed(0)} KiB per 1000 requests)`,
	);
	const warmHeap = await warmLive;
	const endHeap = await inspector.liveHeapMib();
	console.log(
		`isolate live heap: ${mib(warmHeap)} MiB after warm-up, ${mib(endHeap)} MiB at the end (after a full collection): growth ${mib(endHeap - warmHeap)} MiB (limit ${maxHeapGrowthMib})`,
	);
	if (!(endHeap - warmHeap <= maxHeapGrowthMib)) fail(`the isolate's live heap grew by ${mib(endHeap - warmHeap)} MiB`);
	if (refusalLines !== refusedCount) fail(`${refusedCount} refusals but ${refusalLines} cors-refused log lines`);
	for (const change of changes)
		if (Number.isNaN(change.effective))
			fail(`the change to ${change.to} at ${change.at.toFixed(1)} s never took effect`);
	if (changes.length < 2) fail("the run ended before both allowlist changes were written: use a longer --duration");

	console.log(`errors:     ${failureCount} (non-policy failures)`);
	for (const message of failures) console.log(`  - ${message}`);
	return failureCount === 0;
}

let interrupted = false;
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
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
