// `npm run bench:core`: the pure policy core in Node (node --expose-gc runs the .ts
// sources directly). Compile time and retained heap per allowlist size, then the cost of
// one decision per request kind, in ns/op.
import { CorsPolicy, type CorsRequest, validateAllowlistText } from "../src/policy/index.ts";
import { type BenchAllowlist, benchAllowlist } from "./allowlists.ts";
import { loadAverage, machineLines } from "./machine.ts";
import { PREFLIGHT_HEADERS } from "./scenarios.ts";
import { fixed, whole } from "./stats.ts";

const SIZES = [10, 1_000, 10_000, 100_000, 1_000_000];
const COMPILE_SAMPLES = 5;
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

/** What the gateway's store does with the text it reads from KV: validate, then compile. */
function compile(text: string): CorsPolicy {
	const result = validateAllowlistText(text);
	if (!result.ok) throw new Error(`bench allowlist invalid: ${JSON.stringify(result.problems[0])}`);
	return new CorsPolicy(result);
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
		const before = heapAfterGc();
		const start = performance.now();
		const policy = compile(text);
		times.push(performance.now() - start);
		// Retained by the compiled policy (the text itself is counted apart, in MiB).
		if (i === 0) heapMiB = (heapAfterGc() - before) / 2 ** 20;
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
		}),
		expect: "forward",
	},
	{
		name: "miss: GET, listed nowhere",
		request: (l) => ({ method: "GET", origin: l.miss, requestMethod: null, requestHeaders: null, selfOrigin: SELF }),
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
		}),
		expect: "preflight",
	},
	{
		name: "no Origin",
		request: () => ({ method: "GET", origin: null, requestMethod: null, requestHeaders: null, selfOrigin: SELF }),
		expect: "forward",
	},
];

let sink = 0;

function nsPerDecision(policy: CorsPolicy, request: CorsRequest, expect: string): number {
	const first = policy.decide(request);
	if (first.action !== expect)
		throw new Error(`expected ${expect}, got ${first.action} for ${JSON.stringify(request)}`);
	// Calibrate the batch size (and warm the JIT) on the first few milliseconds.
	let batch = 0;
	const calibrateUntil = performance.now() + BATCH_MS;
	while (performance.now() < calibrateUntil) {
		for (let i = 0; i < 100; i++) sink += policy.decide(request).headers.length;
		batch += 100;
	}
	const samples: number[] = [];
	for (let b = 0; b < BATCHES; b++) {
		const start = process.hrtime.bigint();
		for (let i = 0; i < batch; i++) sink += policy.decide(request).headers.length;
		samples.push(Number(process.hrtime.bigint() - start) / batch);
	}
	return Math.min(...samples);
}

function main(): void {
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
		`Fastest of ${COMPILE_SAMPLES} (other work on the machine only ever adds time); heap = heapUsed retained by the compiled policy after gc (the text not counted).`,
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
	console.log(lines.join("\n"));
	if (sink === 0) console.error("(nothing decided)");
}

main();
