// `npm run bench:core`: the pure policy core in Node (node --expose-gc runs the .ts
// sources directly). Compile time and retained heap per allowlist size, then the cost of
// one decision per request kind, in ns/op; then the same for a sharded allowlist of
// 1,000,000 entries: planning its shards, and deciding once its shards are cached; then
// the cost of choosing a route, with 1 route and with 1,000.
import {
	type AnyCorsPolicy,
	type CorsPolicy,
	type CorsRequest,
	compileAllowlist,
	type Decision,
	settle,
} from "../src/policy/index.ts";
import { lookupKeys } from "../src/shards/layout.ts";
import { planShards, type ShardPlan, shardWrites } from "../src/shards/plan.ts";
import { ShardCache } from "../src/worker/store/shard-cache.ts";
import { ShardedOrigins } from "../src/worker/store/sharded-origins.ts";
import {
	type BenchAllowlist,
	benchAllowlist,
	benchOrigins,
	DEEP_KEY,
	DEEP_PATH,
	PATTERN_PROBES,
	PATTERNS,
	patternAllowlist,
	ROUTE_APP,
	routedDocument,
	SETTINGS,
} from "./allowlists.ts";
import { loadAverage, machineLines } from "./machine.ts";
import { PREFLIGHT_HEADERS } from "./scenarios.ts";
import { fixed, whole } from "./stats.ts";

const SIZES = [10, 1_000, 10_000, 100_000, 1_000_000];
const SHARDED_SIZE = 1_000_000;
const COMPILE_SAMPLES = 5;
const PLAN_SAMPLES = 3;
/** Each timed batch of decisions lasts about this long; the fastest batch is reported. */
const BATCH_MS = 20;
const BATCHES = 7;

const lists = new Map(SIZES.map((size) => [size, benchAllowlist(size)]));
const listOf = (size: number) => lists.get(size) as BenchAllowlist;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
	console.error("bench:core needs --expose-gc (npm run bench:core passes it)");
	process.exit(1);
}

function heapAfterGc(): number {
	(gc as () => void)();
	(gc as () => void)();
	return process.memoryUsage().heapUsed;
}

/** heapUsed plus ArrayBuffers: the matcher's hash table lives in typed arrays, outside heapUsed. */
function memoryAfterGc(): number {
	return heapAfterGc() + process.memoryUsage().arrayBuffers;
}

/** What the gateway's store does with the text it reads from KV: validate, then compile. */
function compile(text: string): CorsPolicy {
	const result = compileAllowlist(text);
	if (!result.ok) throw new Error(`bench allowlist invalid: ${JSON.stringify(result.problems[0])}`);
	return result.policy;
}

interface CompileRow {
	size: number;
	mib: number;
	ms: number;
	heapMiB: number;
}

function measureCompile(size: number): CompileRow {
	const text = listOf(size).text;
	const times: number[] = [];
	let heapMiB = Number.NaN;
	for (let i = 0; i < COMPILE_SAMPLES; i++) {
		const before = memoryAfterGc();
		const start = performance.now();
		const policy = compile(text);
		times.push(performance.now() - start);
		// Retained by the compiled policy (the text itself is counted apart, in MiB).
		if (i === 0) heapMiB = (memoryAfterGc() - before) / 2 ** 20;
		if (!policy.document) throw new Error("no document");
	}
	return { size, mib: text.length / 2 ** 20, ms: Math.min(...times), heapMiB };
}

interface DecisionCase {
	name: string;
	request: (list: BenchAllowlist) => CorsRequest;
	expect: string;
}

const SELF = "https://gateway.example.net";
/** The request URL's host and path: the bench documents have no routes, so the top level decides. */
const AT = { host: "gateway.example.net", path: "/api/orders" };
// 4 KiB of allowed names, every one of them parsed: the longest value the gateway accepts.
const HOSTILE_HEADERS = (() => {
	let v = "content-type";
	while (v.length + ", x-tenant".length <= 4096) v += ", x-tenant";
	return v + " ".repeat(4096 - v.length);
})();

const CASES: DecisionCase[] = [
	{
		name: "hit: GET, last exact entry",
		request: (l) => ({
			method: "GET",
			origin: l.lateExact,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "forward",
	},
	{
		name: "miss: GET, listed nowhere",
		request: (l) => ({
			method: "GET",
			origin: l.miss,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "refuse",
	},
	{
		name: "wildcard hit: GET, under the last wildcard",
		request: (l) => ({
			method: "GET",
			origin: l.lateWildcard,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "forward",
	},
	{
		name: `preflight: PUT + "${PREFLIGHT_HEADERS}"`,
		request: (l) => ({
			method: "OPTIONS",
			origin: l.lateWildcard,
			requestMethod: "PUT",
			requestHeaders: PREFLIGHT_HEADERS,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "preflight",
	},
	{
		name: `hostile preflight: ${HOSTILE_HEADERS.length}-byte Access-Control-Request-Headers`,
		request: (l) => ({
			method: "OPTIONS",
			origin: l.lateExact,
			requestMethod: "PUT",
			requestHeaders: HOSTILE_HEADERS,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "preflight",
	},
	{
		name: "no Origin",
		request: () => ({
			method: "GET",
			origin: null,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: SELF,
			...AT,
		}),
		expect: "forward",
	},
];

/** Routes in each document, and whether a tenth of them have a host (one more hash lookup per request). */
const ROUTED = [
	{ count: 0, hosts: false },
	{ count: 1, hosts: false },
	{ count: 1_000, hosts: false },
	{ count: 1_000, hosts: true },
];
const ROUTE_ROUNDS = 3;

function routedPolicy(shape: { count: number; hosts: boolean }): CorsPolicy {
	const result = compileAllowlist(routedDocument(shape));
	if (!result.ok) throw new Error(`routed document invalid: ${JSON.stringify(result.problems[0])}`);
	return result.policy;
}

const ROUTE_CASES: { name: string; path: string }[] = [
	{ name: `allowed GET under the deepest route (${DEEP_PATH})`, path: DEEP_PATH },
	{ name: "allowed GET at a path no route matches", path: "/nowhere/x/y/z/w" },
	{ name: "allowed GET, hostile 8 KiB path", path: `/deep/a/${"b".repeat(8192)}` },
];

let sink = 0;

/** `policy` answers `request` from memory (a sharded policy only once the shards it needs are cached). */
function nsPerDecision(policy: AnyCorsPolicy, request: CorsRequest, expect: string): number {
	const first = policy.decide(request);
	if (first.action !== expect)
		throw new Error(`expected ${expect}, got ${first.action} for ${JSON.stringify(request)}`);
	// Calibrate the batch size (and warm the JIT) on the first few milliseconds.
	let batch = 0;
	const calibrateUntil = performance.now() + BATCH_MS;
	while (performance.now() < calibrateUntil) {
		for (let i = 0; i < 100; i++) sink += (policy.decide(request) as Decision).headers.length;
		batch += 100;
	}
	const samples: number[] = [];
	for (let b = 0; b < BATCHES; b++) {
		const start = process.hrtime.bigint();
		for (let i = 0; i < batch; i++) sink += (policy.decide(request) as Decision).headers.length;
		samples.push(Number(process.hrtime.bigint() - start) / batch);
	}
	return Math.min(...samples);
}

interface PlanRow {
	ms: number;
	heapMiB: number;
	plan: ShardPlan;
}

/** planShards over the canonical entries, as `cors-gateway push` runs it; heap = what the plan retains. */
function measurePlan(keys: readonly string[]): PlanRow {
	const times: number[] = [];
	let heapMiB = Number.NaN;
	let plan: ShardPlan | undefined;
	for (let i = 0; i < PLAN_SAMPLES; i++) {
		plan = undefined;
		const before = heapAfterGc();
		const start = performance.now();
		plan = planShards(keys, `bench-${i}`, 2026);
		times.push(performance.now() - start);
		// Not on the first run: hashing the keys flattens the strings they were built from,
		// which frees memory that is no part of the plan.
		if (i === PLAN_SAMPLES - 1) heapMiB = (heapAfterGc() - before) / 2 ** 20;
	}
	return { ms: Math.min(...times), heapMiB, plan: plan as ShardPlan };
}

/**
 * The policy an isolate builds for a sharded document, its shards read from an in-memory
 * map instead of KV, with the shards `probes` need already read into its cache.
 */
async function shardedPolicy(
	plan: ShardPlan,
	probes: readonly string[],
	inline: readonly string[] = [],
): Promise<AnyCorsPolicy> {
	const stored = new Map<string, string>();
	for (const { key, value } of shardWrites(plan)) if (typeof value === "string") stored.set(key, value);
	const manifest = { ...plan.manifest, published: new Date().toISOString() };
	const result = compileAllowlist({ ...SETTINGS, origins: inline, shards: manifest });
	if (!result.ok) throw new Error(`sharded document invalid: ${JSON.stringify(result.problems[0])}`);
	const source = new ShardedOrigins(
		manifest,
		plan.filter,
		new ShardCache(),
		async (key) => stored.get(key) ?? null,
		(event) => {
			throw new Error(`unexpected shard event: ${JSON.stringify(event)}`);
		},
	);
	const policy: AnyCorsPolicy = result.policy.withSource(source);
	for (const origin of probes)
		await settle(
			policy.decide({ method: "GET", origin, requestMethod: null, requestHeaders: null, selfOrigin: SELF, ...AT }),
		);
	return policy;
}

async function main(): Promise<void> {
	const startLoad = loadAverage();
	const lines: string[] = [];
	const out = (s = "") => lines.push(s);
	out("# cors-gateway bench:core (the pure policy core in Node)");
	out();
	for (const line of machineLines(false, startLoad)) out(line);
	out();
	out("## Compile: validate + compile the document text (what an isolate does on a KV read)");
	out();
	out(
		`Fastest of ${COMPILE_SAMPLES} (other work on the machine only ever adds time); heap = heapUsed + arrayBuffers retained by the compiled policy after gc (the text not counted).`,
	);
	out();
	out("| entries | document MiB | compile ms | retained heap MiB |");
	out("| ---: | ---: | ---: | ---: |");
	const policies = new Map<number, CorsPolicy>();
	for (const size of SIZES) {
		const row = measureCompile(size);
		out(`| ${whole(size)} | ${fixed(row.mib, 2)} | ${fixed(row.ms, 1)} | ${fixed(row.heapMiB, 1)} |`);
		console.error(`compiled ${whole(size)} entries`);
		policies.set(size, compile(listOf(size).text));
	}
	out();
	out("## Decide: ns per decision");
	out();
	out(`Fastest of ${BATCHES} batches of about ${BATCH_MS} ms each, after a calibration run of the same length.`);
	out();
	out(`| case | ${SIZES.map(whole).join(" | ")} | ${whole(SIZES.at(-1) as number)} ÷ ${whole(SIZES[0] as number)} |`);
	out(`| --- | ${SIZES.map(() => "---:").join(" | ")} | ---: |`);
	for (const c of CASES) {
		const ns = SIZES.map((size) => {
			const policy = policies.get(size) as CorsPolicy;
			return nsPerDecision(policy, c.request(listOf(size)), c.expect);
		});
		out(
			`| ${c.name} | ${ns.map((n) => fixed(n, 0)).join(" | ")} | ${fixed((ns.at(-1) as number) / (ns[0] as number), 2)} |`,
		);
		console.error(`timed ${c.name}`);
	}
	out();

	out(`## Sharded: ${whole(SHARDED_SIZE)} entries`);
	out();
	const shardedList = listOf(SHARDED_SIZE);
	const planned = measurePlan(benchOrigins(SHARDED_SIZE));
	const { manifest } = planned.plan;
	console.error(`planned ${whole(SHARDED_SIZE)} entries`);
	out(
		`planShards (what \`cors-gateway push\` runs after validating): fastest of ${PLAN_SAMPLES}; heap = heapUsed retained by the plan after gc (the shard texts; the filter's ${fixed(planned.plan.filter.toBytes().length / 2 ** 20, 1)} MiB are an ArrayBuffer, outside heapUsed).`,
	);
	out();
	out("| entries | shards | plan ms | retained heap MiB |");
	out("| ---: | ---: | ---: | ---: |");
	out(
		`| ${whole(manifest.entries)} | ${whole(manifest.count)} | ${fixed(planned.ms, 1)} | ${fixed(planned.heapMiB, 1)} |`,
	);
	out();
	// The miss must be ruled out by the filter alone, as nearly every unlisted origin is.
	const missKeys = lookupKeys(shardedList.miss, manifest.wildcardDepths);
	if (missKeys.some((k) => planned.plan.filter.has(k)))
		throw new Error(`the filter does not rule out ${shardedList.miss}: pick another miss`);
	const probes = [shardedList.lateExact, shardedList.lateWildcard, shardedList.miss];
	const sharded = await shardedPolicy(planned.plan, probes);
	out(
		`Decide with the sharded policy (ShardedOrigins behind CorsPolicy, as in the Worker), once the shards the request needs are cached: ns per decision, as above; the miss is ruled out by the filter (${missKeys.length} lookup keys, no shard).`,
	);
	out();
	out(
		`| case | in memory: ${whole(SIZES[0] as number)} | in memory: ${whole(SHARDED_SIZE)} | sharded: ${whole(SHARDED_SIZE)} | sharded ÷ in memory ${whole(SIZES[0] as number)} |`,
	);
	out("| --- | ---: | ---: | ---: | ---: |");
	for (const c of CASES.slice(0, 4)) {
		const small = nsPerDecision(
			policies.get(SIZES[0] as number) as CorsPolicy,
			c.request(listOf(SIZES[0] as number)),
			c.expect,
		);
		const big = nsPerDecision(policies.get(SHARDED_SIZE) as CorsPolicy, c.request(shardedList), c.expect);
		const ns = nsPerDecision(sharded, c.request(shardedList), c.expect);
		out(`| ${c.name} | ${fixed(small, 0)} | ${fixed(big, 0)} | ${fixed(ns, 0)} | ${fixed(ns / small, 2)} |`);
		console.error(`timed sharded ${c.name}`);
	}
	out();
	out(`## Origin patterns: ns per decision, ${PATTERNS.length} patterns mixed in`);
	out();
	out(
		`The lists of ${whole(SIZES[0] as number)} and ${whole(SHARDED_SIZE)} entries with ${PATTERNS.map((p) => `\`${p}\``).join(", ")} appended, in memory and (the ${whole(SHARDED_SIZE)}) sharded with the patterns inline beside the manifest; "plain" is the ${whole(SIZES[0] as number)}-entry list without them. A miss now also tries the any-port key and the globs under its parent. Measured as above, the documents side by side in ${ROUTE_ROUNDS} rounds, the fastest kept.`,
	);
	out();
	out(
		`| case | plain ${whole(SIZES[0] as number)} | ${whole(SIZES[0] as number)} | ${whole(SHARDED_SIZE)} | sharded ${whole(SHARDED_SIZE)} | ${whole(SHARDED_SIZE)} ÷ ${whole(SIZES[0] as number)} | with ÷ plain (${whole(SIZES[0] as number)}) |`,
	);
	out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
	const small = patternAllowlist(SIZES[0] as number);
	const patterned = [
		compile(listOf(SIZES[0] as number).text),
		compile(small.text),
		compile(patternAllowlist(SHARDED_SIZE).text),
		await shardedPolicy(planned.plan, [shardedList.lateExact, shardedList.miss], PATTERNS),
	];
	const get = (origin: string): CorsRequest => ({
		method: "GET",
		origin,
		requestMethod: null,
		requestHeaders: null,
		selfOrigin: SELF,
		...AT,
	});
	const patternCases = [
		{ name: "hit: GET, last exact entry", origin: (l: BenchAllowlist) => l.lateExact, expect: "forward", plain: true },
		{ name: "miss: GET, listed nowhere", origin: (l: BenchAllowlist) => l.miss, expect: "refuse", plain: true },
		{ name: `any port: ${PATTERN_PROBES.anyPort}`, origin: () => PATTERN_PROBES.anyPort, expect: "forward" },
		{ name: `glob: ${PATTERN_PROBES.glob}`, origin: () => PATTERN_PROBES.glob, expect: "forward" },
		{ name: `glob miss: ${PATTERN_PROBES.globMiss}`, origin: () => PATTERN_PROBES.globMiss, expect: "refuse" },
	];
	for (const c of patternCases) {
		// Each column's own list gives its probes: the last exact entry differs with the size.
		const listFor = [small, small, shardedList, shardedList];
		const ns = patterned.map(() => Number.POSITIVE_INFINITY);
		for (let round = 0; round < ROUTE_ROUNDS; round++)
			patterned.forEach((policy, i) => {
				if (i === 0 && !c.plain) return;
				ns[i] = Math.min(ns[i] as number, nsPerDecision(policy, get(c.origin(listFor[i] as BenchAllowlist)), c.expect));
			});
		const [plain, ten, million, shardedNs] = ns as [number, number, number, number];
		out(
			`| ${c.name} | ${c.plain ? fixed(plain, 0) : "—"} | ${fixed(ten, 0)} | ${fixed(million, 0)} | ${fixed(shardedNs, 0)} | ${fixed(million / ten, 2)} | ${c.plain ? fixed(ten / plain, 2) : "—"} |`,
		);
		console.error(`timed patterns: ${c.name}`);
	}
	out();
	out("## Routes: ns per decision by the number of routes");
	out();
	out(
		`An exact origin's allowed GET (the top level's, or the deepest route's, which both list it), with a document of no routes, 1 route (${DEEP_KEY}) and 1,000 routes (${DEEP_KEY} and 999 shallower keys; then again with a tenth of them for a host, which adds the host's lookup); measured as above, the documents in turn, ${ROUTE_ROUNDS} rounds, the fastest kept.`,
	);
	out();
	out(
		"| case | no routes | 1 route | 1,000 routes | 1,000 routes, 100 with a host | 1,000 ÷ 1 | 1,000 with hosts ÷ 1 | 1 ÷ none |",
	);
	out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	const routed = ROUTED.map(routedPolicy);
	for (const c of ROUTE_CASES) {
		const request: CorsRequest = {
			method: "GET",
			origin: ROUTE_APP,
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: SELF,
			host: AT.host,
			path: c.path,
		};
		// Side by side, in rounds: a burst of other work on the machine hits every column alike.
		const ns = routed.map(() => Number.POSITIVE_INFINITY);
		for (let round = 0; round < ROUTE_ROUNDS; round++)
			routed.forEach((policy, i) => {
				ns[i] = Math.min(ns[i] as number, nsPerDecision(policy, request, "forward"));
			});
		const [none, one, many, hosted] = ns as [number, number, number, number];
		out(
			`| ${c.name} | ${ns.map((n) => fixed(n, 0)).join(" | ")} | ${fixed(many / one, 2)} | ${fixed(hosted / one, 2)} | ${fixed(one / none, 2)} |`,
		);
		console.error(`timed routes: ${c.name}`);
	}
	out();
	console.log(lines.join("\n"));
	if (sink === 0) console.error("(nothing decided)");
}

await main();
