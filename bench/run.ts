// `npm run bench [-- --quick] [-- --out FILE]`: the gateway as `wrangler deploy` ships it
// from wrangler.toml (tools/deployed-gateway.ts), a bare forwarding Worker and the common Hono
// version, side by side in one workerd (Miniflare's API, each Worker on its own direct
// socket on loopback), with the same KV documents and the same upstream. The load
// generator and the upstream run in their own processes. Every measurement is checked
// (statuses, errors); the run fails if any answer is not the expected one.
// Beside them: the same gateway over a sharded allowlist of 1,000,000 origins, the gateway
// built from wrangler.demo.toml ([assets] on, to show what the assets router costs), and
// the header floor (the bare forwarder plus the response copy any CORS Worker needs), and
// the gateway over a document of 1 route and one of 1,000 (finding the route must not cost
// more with more keys).
// Cold starts get a fresh workerd per sample (bench/cold-start.ts).
import { type ChildProcess, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare, type MiniflareOptions, type WorkerOptions } from "miniflare";
import { SHARD_ABOVE } from "../src/cli/sharded-store.ts";
import { type DeployedGateway, deployedGateway } from "../tools/deployed-gateway.ts";
import { workerdInspector } from "../tools/inspector.ts";
import {
	type BenchAllowlist,
	benchAllowlist,
	DEEP_PATH,
	type Probes,
	ROUTE_APP,
	routedDocument,
} from "./allowlists.ts";
import { bundle, compatibilityDate, type WorkerName } from "./bundle.ts";
import { type ColdSubject, coldStart, type Shared, WARM_SAMPLES } from "./cold-start.ts";
import type { LoadRequest, LoadResult } from "./load.ts";
import { loadAverage } from "./machine.ts";
import { type PublishTime, publishTime } from "./publish-time.ts";
import {
	assetsKey,
	type Cell,
	type Cold,
	type ColdRow,
	type Flood,
	floorKey,
	keyOf,
	pairedKey,
	report,
	routesKey,
	shardedKey,
} from "./report.ts";
import { CONTENDERS, type Contender, ROUTED_GET, SCENARIOS, type Scenario } from "./scenarios.ts";
import {
	deleteShards,
	originsInUnreadShards,
	publishSharded,
	type ShardedAllowlist,
	shardedAllowlist,
} from "./sharded.ts";
import { whole } from "./stats.ts";
import { workerdCpuMeter } from "./workerd-cpu.ts";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined;

const PLAN = QUICK
	? { rounds: 1, seconds: 1, warmupSeconds: 0.3, coldSamples: 3 }
	: { rounds: 5, seconds: 2, warmupSeconds: 1, coldSamples: 7 };
const CONNECTIONS = 8;
const SIZES = [10, 10_000, 100_000];
/** Routes in the routed documents: the ratio of the last to the first shows whether lookups stay flat. */
const ROUTE_COUNTS = [1, 1_000];
// --quick shards a smaller list to stay short.
const SHARDED_SIZE = QUICK ? 150_000 : 1_000_000;
/**
 * Cold starts, each list as the command line publishes it: inline up to SHARD_ABOVE
 * entries (the threshold itself is the worst inline case), sharded past it. Inline
 * documents past the threshold are measured too, to show where it comes from.
 */
const COLD_INLINE = QUICK ? [SHARD_ABOVE] : [10, 5_000, SHARD_ABOVE, 25_000, 50_000, 100_000];
const COLD_SHARDED = QUICK ? [100_000] : [100_000, 1_000_000];
/** Random origins sent to the sharded gateway to measure its memory under a flood. */
const FLOOD_REQUESTS = QUICK ? 10_000 : 100_000;
/** Per workerd restart: origins whose shard is not cached yet, each in its own shard. */
const UNREAD_SHARDS = 16;
const HOST = "127.0.0.1";
// The team's port range for this bench: 18800-18899.
const PORT = {
	upstream: 18801,
	inspector: 18802,
	miniflare: 18810,
	firstWorker: 18811,
	cold: 18850,
	coldWorker: 18851,
};
const UPSTREAM_URL = `http://${HOST}:${PORT.upstream}`;

interface Target {
	contender: Contender;
	/** Allowlist size; null for the bare forwarder, which reads no allowlist. */
	size: number | null;
	name: string;
	port: number;
	/** Serves the sharded allowlist (its own KV namespace). */
	sharded?: true;
	/** The header floor (bench/workers/header-floor.ts), measured beside the allowed GET. */
	floor?: true;
	/** The gateway built from wrangler.demo.toml: [assets] declared, run_worker_first. */
	assets?: true;
	/** Serves a routed document with this many routes (its own KV namespace); requests go under its deepest key. */
	routes?: number;
}

const targets: Target[] = [{ contender: "bare", size: null, name: "bare", port: PORT.firstWorker }];
for (const size of SIZES) {
	for (const contender of ["gateway", "common"] as const) {
		targets.push({ contender, size, name: `${contender}-${size}`, port: PORT.firstWorker + targets.length });
	}
}

const SHARDED: Target = {
	contender: "gateway",
	size: SHARDED_SIZE,
	name: "gateway-sharded",
	port: PORT.firstWorker + targets.length,
	sharded: true,
};
targets.push(SHARDED);

const FLOOR: Target = {
	contender: "bare",
	size: null,
	name: "header-floor",
	port: PORT.firstWorker + targets.length,
	floor: true,
};
targets.push(FLOOR);

const ASSETS: Target = {
	contender: "gateway",
	size: 10,
	name: "gateway-assets",
	port: PORT.firstWorker + targets.length,
	assets: true,
};
targets.push(ASSETS);

const ROUTED: Target[] = ROUTE_COUNTS.map((routes, i) => ({
	contender: "gateway",
	// The top level's one origin; each route lists its own.
	size: 1,
	name: `gateway-routes-${routes}`,
	port: PORT.firstWorker + targets.length + i,
	routes,
}));
targets.push(...ROUTED);

function targetFor(contender: Contender, size: number): Target {
	return targets.find(
		(t) =>
			t.contender === contender &&
			!t.sharded &&
			!t.floor &&
			!t.assets &&
			t.routes === undefined &&
			(t.size === size || t.size === null),
	) as Target;
}

function urlOf(target: Target): string {
	return `http://${HOST}:${target.port}${target.routes === undefined ? "/api/orders?page=2" : DEEP_PATH}`;
}

const failures: string[] = [];

// --- child processes -------------------------------------------------------------------

async function startChild(script: string, childArgs: string[]): Promise<ChildProcess> {
	const child = fork(resolve(import.meta.dirname, script), childArgs, {
		stdio: ["ignore", "inherit", "inherit", "ipc"],
	});
	await ask(child, undefined);
	return child;
}

/** Sends `message` (if any) and waits for the child's next message; rejects if it exits first. */
function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
	return new Promise((resolve, reject) => {
		const onExit = (code: number | null) => reject(new Error(`${child.spawnfile} exited (${code}) before answering`));
		child.once("exit", onExit);
		child.once("message", (reply) => {
			child.off("exit", onExit);
			resolve(reply as T);
		});
		if (message !== undefined) child.send(message as object);
	});
}

// --- workerd -------------------------------------------------------------------------

const ENTRY: Record<Exclude<Contender, "gateway">, WorkerName> = { bare: "bare", common: "common" };

/** The gateway as deployed from wrangler.toml, and built from wrangler.demo.toml ([assets] on). */
interface Gateways {
	deployed: DeployedGateway;
	assets: DeployedGateway;
}

/** Bytes of log output the Workers wrote (each line with its newline), counted as workerd reports them. */
let logBytes = 0;

/** Workers built by esbuild here (bare forwarder, common version, header floor), as workerd options. */
async function bundledWorker(entry: WorkerName, name: string, port: number, kvId?: string): Promise<WorkerOptions> {
	return {
		config: {
			name,
			compatibilityDate: compatibilityDate(),
			manifest: { mainModule: "worker.mjs", modules: { "worker.mjs": { type: "esm", contents: await bundle(entry) } } },
			env: {
				UPSTREAM_URL: { type: "text", value: UPSTREAM_URL },
				...(kvId === undefined ? {} : { ALLOWLIST: { type: "kv", id: kvId } }),
			},
		},
		dev: { unsafeDirectSockets: [{ host: HOST, port, proxy: false }] },
	};
}

/** Offline and self-contained, and counting the Workers' log output. */
function sharedOptions(port: number): Shared {
	return {
		host: HOST,
		port,
		// No Request.cf download, no entry in the dev registry that other local
		// wrangler/Miniflare sessions read.
		cf: false,
		enableDevRegistry: false,
		// The gateway logs refusals; the bench keeps that cost in the Worker (console.log
		// runs) and counts the bytes, without printing a line per request.
		handleStructuredLogs: ({ message }) => {
			logBytes += Buffer.byteLength(message) + 1;
		},
	};
}

async function miniflareOptions(gateways: Gateways, inspector = false): Promise<MiniflareOptions> {
	const workers: WorkerOptions[] = [];
	for (const t of targets) {
		// Gateway and common version of one size read the same KV namespace.
		const kvId =
			t.size === null
				? undefined
				: t.sharded
					? "allowlist-sharded"
					: t.routes !== undefined
						? `allowlist-routes-${t.routes}`
						: `allowlist-${t.size}`;
		if (t.contender === "gateway") {
			const gateway = t.assets ? gateways.assets : gateways.deployed;
			workers.push(gateway.worker(t.name, t.port, { UPSTREAM_URL }, kvId as string));
		} else {
			workers.push(await bundledWorker(t.floor ? "floor" : ENTRY[t.contender], t.name, t.port, kvId));
		}
	}
	return {
		...sharedOptions(PORT.miniflare),
		// Only for reading the sharded gateway's heap, after the timed measurements.
		...(inspector ? { inspectorPort: PORT.inspector } : {}),
		workers,
	};
}

async function seed(mf: Miniflare, lists: Map<number, BenchAllowlist>, sharded: ShardedAllowlist): Promise<void> {
	for (const [size, list] of lists) {
		const kv = await mf.getKVNamespace("ALLOWLIST", `gateway-${size}`);
		await kv.put("allowlist", list.text);
	}
	await publishSharded(await mf.getKVNamespace("ALLOWLIST", SHARDED.name), sharded);
	for (const t of ROUTED) {
		const kv = await mf.getKVNamespace("ALLOWLIST", t.name);
		await kv.put("allowlist", JSON.stringify(routedDocument({ count: t.routes as number, hosts: false })));
	}
}

// --- checks before timing --------------------------------------------------------------

async function upstreamCount(upstream: ChildProcess): Promise<number> {
	return (await ask<{ received: number }>(upstream, "count")).received;
}

/** Sends `scenario` N times to `target` as `contender`; records anything unexpected. */
async function check(
	upstream: ChildProcess,
	target: Target,
	list: Probes,
	scenario: Scenario,
	contender: Contender,
	N: number,
): Promise<void> {
	const where = `${scenario.name} → ${target.name}`;
	const before = await upstreamCount(upstream);
	for (let i = 0; i < N; i++) {
		const res = await fetch(urlOf(target), { method: scenario.method, headers: scenario.headers(list) });
		await res.arrayBuffer();
		if (res.status !== scenario.status[contender])
			failures.push(`${where}: status ${res.status}, expected ${scenario.status[contender]}`);
		if (contender === "gateway") {
			const acao = res.headers.get("access-control-allow-origin");
			if (acao !== scenario.allowOrigin(list))
				failures.push(`${where}: Access-Control-Allow-Origin ${acao}, expected ${scenario.allowOrigin(list)}`);
			if (!/\borigin\b/i.test(res.headers.get("vary") ?? "")) failures.push(`${where}: no Vary: Origin`);
		}
	}
	const reached = (await upstreamCount(upstream)) - before;
	const expected = contender === "bare" || scenario.forwarded ? N : 0;
	if (reached !== expected) failures.push(`${where}: upstream received ${reached} requests, expected ${expected}`);
}

async function verify(
	upstream: ChildProcess,
	lists: Map<number, BenchAllowlist>,
	sharded: ShardedAllowlist,
): Promise<number> {
	const N = 3;
	let checked = 0;
	for (const [size, list] of lists) {
		for (const scenario of SCENARIOS) {
			for (const contender of CONTENDERS) {
				await check(upstream, targetFor(contender, size), list, scenario, contender, N);
				checked += N;
			}
		}
	}
	for (const scenario of SCENARIOS) {
		await check(upstream, SHARDED, sharded, scenario, "gateway", N);
		await check(upstream, ASSETS, lists.get(10) as BenchAllowlist, scenario, "gateway", N);
		checked += 2 * N;
	}
	// The floor forwards everything, as the bare forwarder does.
	await check(upstream, FLOOR, lists.get(10) as BenchAllowlist, SCENARIOS[0] as Scenario, "bare", N);
	checked += N;
	for (const target of ROUTED) {
		await check(upstream, target, lists.get(10) as BenchAllowlist, ROUTED_GET, "gateway", N);
		await checkDeepestRouteDecides(target);
		checked += N + 1;
	}
	return checked;
}

/**
 * The timed GET's answer is the same whichever policy admits ROUTE_APP; a preflight's
 * Access-Control-Max-Age is the deepest route's (60) only when that route decided.
 */
async function checkDeepestRouteDecides(target: Target): Promise<void> {
	const res = await fetch(urlOf(target), {
		method: "OPTIONS",
		headers: { origin: ROUTE_APP, "access-control-request-method": "GET" },
	});
	await res.arrayBuffer();
	const maxAge = res.headers.get("access-control-max-age");
	if (res.status !== 204 || maxAge !== "60")
		failures.push(
			`preflight under the deepest route → ${target.name}: ${res.status}, max-age ${maxAge}; expected 204, 60`,
		);
}

// --- timed measurements ----------------------------------------------------------------

const cells = new Map<string, Cell[]>();

async function measure(
	load: ChildProcess,
	cpu: (() => number) | undefined,
	url: string,
	scenario: Scenario,
	list: Probes,
	expected: number,
	seconds: number,
	where: string,
): Promise<Cell> {
	const request: LoadRequest = {
		url,
		method: scenario.method,
		headers: scenario.headers(list),
		connections: CONNECTIONS,
		seconds,
	};
	const cpuBefore = cpu?.() ?? Number.NaN;
	const logsBefore = logBytes;
	const reply = await ask<{ ok: true; result: LoadResult } | { ok: false; error: string }>(load, request);
	const cpuAfter = cpu?.() ?? Number.NaN;
	if (!reply.ok) throw new Error(`load generator: ${reply.error}`);
	const r = reply.result;
	const wrong = Object.entries(r.statuses).filter(([status]) => Number(status) !== expected);
	if (r.errors > 0 || wrong.length > 0 || r.requests === 0) {
		failures.push(
			`${where}: ${r.requests} responses, ${r.errors} errors, unexpected statuses ${JSON.stringify(Object.fromEntries(wrong))}`,
		);
	}
	// Let requests the load generator abandoned at the deadline finish (and their log lines
	// arrive) before the next measurement.
	await sleep(Math.min(2_000, Math.max(100, 2 * r.p99Ms)));
	return { ...r, cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / r.requests, logBytes: logBytes - logsBefore };
}

// --- cold start ----------------------------------------------------------------------

async function timeOne(url: string, headers: Record<string, string>, expected: number, where: string): Promise<number> {
	const start = performance.now();
	const res = await fetch(url, { headers });
	await res.arrayBuffer();
	const ms = performance.now() - start;
	if (res.status !== expected) failures.push(`${where}: status ${res.status}, expected ${expected}`);
	return ms;
}

/** The bare forwarder, inline documents and sharded lists, each in a fresh workerd per sample. */
async function coldStarts(deployed: DeployedGateway): Promise<ColdRow[]> {
	const url = `http://${HOST}:${PORT.coldWorker}/api/orders?page=2`;
	const gateway = (name: string) => deployed.worker(name, PORT.coldWorker, { UPSTREAM_URL }, name);
	const subjects: ColdSubject[] = [
		{
			name: "bare",
			label: "bare forwarder (reads no allowlist)",
			entries: null,
			worker: await bundledWorker("bare", "bare", PORT.coldWorker),
			origin: "https://app.customer-0.com",
			url,
		},
	];
	for (const size of COLD_INLINE) {
		const list = benchAllowlist(size);
		subjects.push({
			name: `inline-${size}`,
			label: `inline, ${whole(size)} entries${size === SHARD_ABOVE ? " (the command line's threshold)" : size > SHARD_ABOVE ? " (sharded by the command line)" : ""}`,
			entries: size,
			worker: gateway(`inline-${size}`),
			seed: (kv) => kv.put("allowlist", list.text),
			origin: list.lateExact,
			url,
		});
	}
	for (const size of COLD_SHARDED) {
		const list = shardedAllowlist(size);
		subjects.push({
			name: `sharded-${size}`,
			label: `sharded, ${whole(size)} entries (${whole(list.plan.manifest.count)} shards)`,
			entries: size,
			worker: gateway(`sharded-${size}`),
			seed: (kv) => publishSharded(kv, list),
			origin: list.lateExact,
			url,
		});
	}
	const rows: ColdRow[] = [];
	for (const subject of subjects) {
		const cold = await coldStart(subject, sharedOptions(PORT.cold), PLAN.coldSamples, failures);
		const layout = subject.entries === null ? "none" : subject.name.startsWith("sharded") ? "sharded" : "inline";
		rows.push({ label: subject.label, entries: subject.entries, layout, cold });
	}
	return rows;
}

// --- memory under a flood of random origins -------------------------------------------

async function flood(
	mf: Miniflare,
	gateways: Gateways,
	load: ChildProcess,
	lists: Map<number, BenchAllowlist>,
	sharded: ShardedAllowlist,
): Promise<{ flood: Flood; unreadShard: Cold }> {
	// Restarted with workerd's inspector on, to read the isolate's heap, and the shards back
	// in KV; nothing is timed here but shard reads and the flood itself.
	await mf.setOptions(await miniflareOptions(gateways, true));
	await seed(mf, lists, sharded);
	const url = urlOf(SHARDED);
	for (const scenario of SCENARIOS.slice(0, 3)) {
		const res = await fetch(url, { method: scenario.method, headers: scenario.headers(sharded) });
		await res.arrayBuffer();
	}
	// The sharded gateway has its document, filter and a few shards now: each of these
	// origins needs one more shard, read by its first request; the second finds it cached.
	const unreadShard: Cold = { first: [], warm: [] };
	const unread = originsInUnreadShards(sharded, UNREAD_SHARDS);
	for (const round of [unreadShard.first, unreadShard.warm])
		for (const origin of unread)
			round.push(await timeOne(url, { origin }, 200, `${SHARDED.name}, a shard not read yet`));
	const poke = () => timeOne(url, { origin: sharded.miss }, 403, `${SHARDED.name}, during the flood`);
	const heap = await workerdInspector(await mf.getInspectorURL(), SHARDED.name, poke);
	try {
		const before = await heap.heapAfterGc();
		const request: LoadRequest = {
			url,
			method: "GET",
			headers: {},
			connections: CONNECTIONS,
			seconds: 0,
			randomOrigins: FLOOD_REQUESTS,
		};
		const reply = await ask<{ ok: true; result: LoadResult } | { ok: false; error: string }>(load, request);
		if (!reply.ok) throw new Error(`load generator: ${reply.error}`);
		const r = reply.result;
		if (r.errors > 0 || r.requests !== FLOOD_REQUESTS || r.statuses["403"] !== FLOOD_REQUESTS)
			failures.push(
				`flood of ${SHARDED.name}: ${r.requests} responses, ${r.errors} errors, ${JSON.stringify(r.statuses)}`,
			);
		const after = await heap.heapAfterGc();
		// Listed origins are still admitted after the flood (their shard read again if it was evicted).
		await timeOne(url, { origin: sharded.lateExact }, 200, `${SHARDED.name}, after the flood`);
		return { flood: { requests: r.requests, rps: r.rps, heapBefore: before, heapAfter: after }, unreadShard };
	} finally {
		heap.close();
	}
}

// --- main ----------------------------------------------------------------------------

async function main(): Promise<void> {
	const startLoad = loadAverage();
	const lists = new Map(SIZES.map((size) => [size, benchAllowlist(size)]));
	const sharded = shardedAllowlist(SHARDED_SIZE);
	const upstream = await startChild("../tools/upstream.ts", [String(PORT.upstream)]);
	const load = await startChild("./load.ts", []);
	let mf: Miniflare | undefined;
	try {
		console.error("building the gateway as `wrangler deploy` would, from wrangler.toml and wrangler.demo.toml");
		const gateways: Gateways = {
			deployed: await deployedGateway(HOST, "wrangler.toml"),
			assets: await deployedGateway(HOST, "wrangler.demo.toml"),
		};
		if (gateways.deployed.assets || !gateways.assets.assets)
			throw new Error("expected wrangler.toml without [assets] and wrangler.demo.toml with it");
		mf = new Miniflare(await miniflareOptions(gateways));
		await mf.ready;
		await seed(mf, lists, sharded);
		const cpu = workerdCpuMeter();

		const checked = await verify(upstream, lists, sharded);
		if (failures.length > 0) throw new Error("the Workers did not answer as expected");
		console.error(`checked ${checked} requests; warming up`);

		const upstreamUrl = `${UPSTREAM_URL}/api/orders?page=2`;
		const plainGet = SCENARIOS[3] as Scenario;
		const anyList = lists.get(10) as BenchAllowlist;
		const cellAt = async (contender: Contender, size: number, s: number, seconds: number) => {
			const scenario = SCENARIOS[s] as Scenario;
			const target = targetFor(contender, size);
			const where = `${scenario.name} → ${target.name}`;
			const list = lists.get(size) as BenchAllowlist;
			return measure(load, cpu, urlOf(target), scenario, list, scenario.status[contender], seconds, where);
		};
		const allowedGet = SCENARIOS[0] as Scenario;
		const floorCell = async (size: number, seconds: number) =>
			measure(
				load,
				cpu,
				urlOf(FLOOR),
				allowedGet,
				lists.get(size) as BenchAllowlist,
				200,
				seconds,
				`${allowedGet.name} → ${FLOOR.name}`,
			);
		const shardedCell = async (s: number, seconds: number) => {
			const scenario = SCENARIOS[s] as Scenario;
			const where = `${scenario.name} → ${SHARDED.name}`;
			return measure(load, cpu, urlOf(SHARDED), scenario, sharded, scenario.status.gateway, seconds, where);
		};
		const assetsCell = async (s: number, seconds: number) => {
			const scenario = SCENARIOS[s] as Scenario;
			const where = `${scenario.name} → ${ASSETS.name}`;
			return measure(load, cpu, urlOf(ASSETS), scenario, anyList, scenario.status.gateway, seconds, where);
		};
		const routedCell = async (target: Target, seconds: number) =>
			measure(load, cpu, urlOf(target), ROUTED_GET, anyList, 200, seconds, `${ROUTED_GET.name} → ${target.name}`);
		const record = (key: string, cell: Cell) => cells.set(key, [...(cells.get(key) ?? []), cell]);

		// The checks and this warm-up read the shards the sharded gateway's scenarios need.
		for (const size of SIZES)
			for (const s of SCENARIOS.keys()) for (const c of CONTENDERS) await cellAt(c, size, s, PLAN.warmupSeconds);
		await floorCell(10, PLAN.warmupSeconds);
		for (const s of SCENARIOS.keys()) await shardedCell(s, PLAN.warmupSeconds);
		for (const s of SCENARIOS.keys()) await assetsCell(s, PLAN.warmupSeconds);
		for (const target of ROUTED) await routedCell(target, PLAN.warmupSeconds);
		// From here on a shard read would fail and refuse: the timed rounds' checked answers
		// show that the sharded gateway reads no shard per request once they are cached.
		await deleteShards(await mf.getKVNamespace("ALLOWLIST", SHARDED.name), sharded);

		const upstreamCells: Cell[] = [];
		for (let round = 0; round < PLAN.rounds; round++) {
			console.error(`round ${round + 1} of ${PLAN.rounds} (load average ${loadAverage()})`);
			upstreamCells.push(
				await measure(load, undefined, upstreamUrl, plainGet, anyList, 200, PLAN.seconds, "upstream alone"),
			);
			for (const size of SIZES) {
				for (const s of SCENARIOS.keys()) {
					for (const c of CONTENDERS) record(keyOf(c, size, s), await cellAt(c, size, s, PLAN.seconds));
					if (s === 0) record(floorKey(size), await floorCell(size, PLAN.seconds));
					// With [assets] declared, beside the same round's bare forwarder at 10 entries.
					if (size === 10) record(assetsKey(s), await assetsCell(s, PLAN.seconds));
				}
			}
			// The sharded gateway, each scenario paired with the gateway at 10 entries right after it.
			for (const s of SCENARIOS.keys()) {
				record(shardedKey(s), await shardedCell(s, PLAN.seconds));
				record(pairedKey(s), await cellAt("gateway", 10, s, PLAN.seconds));
			}
			// 1 route and 1,000 back to back, in turns first, so that a drift in the machine's load
			// favours neither.
			for (const target of round % 2 === 0 ? ROUTED : [...ROUTED].reverse())
				record(routesKey(target.routes as number), await routedCell(target, PLAN.seconds));
		}

		console.error(`flood of ${whole(FLOOD_REQUESTS)} random origins`);
		const flooded = await flood(mf, gateways, load, lists, sharded);
		await mf.dispose();
		mf = undefined;
		console.error(`cold starts: a fresh workerd per sample, ${PLAN.coldSamples} samples each`);
		const cold = await coldStarts(gateways.deployed);
		let published: PublishTime | undefined;
		if (!QUICK) {
			console.error(`cors-gateway push of ${whole(SHARDED_SIZE)} origins`);
			published = await publishTime(SHARDED_SIZE);
		}
		const text = report({
			quick: QUICK,
			plan: PLAN,
			connections: CONNECTIONS,
			sizes: SIZES,
			workers: targets.length,
			warmSamples: WARM_SAMPLES,
			shardAbove: SHARD_ABOVE,
			bundles: { deployed: gateways.deployed.bytes, assets: gateways.assets.bytes },
			checked,
			lists,
			routeCounts: ROUTE_COUNTS,
			startLoad,
			upstream: upstreamCells,
			cells,
			cold,
			sharded: { list: sharded, unreadShard: flooded.unreadShard, flood: flooded.flood, published },
		});
		console.log(text);
		if (OUT !== undefined) writeFileSync(OUT, `${text}\n`);
	} finally {
		await mf?.dispose();
		upstream.disconnect();
		load.disconnect();
	}
	if (failures.length > 0) {
		console.error(
			`\nbench FAILED: ${failures.length} unexpected answer(s):\n${failures.map((f) => `- ${f}`).join("\n")}`,
		);
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(failures.map((f) => `- ${f}`).join("\n"));
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
