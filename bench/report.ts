// The bench's report: Markdown tables of every measurement, the ratios side by side, and
// each target with its figure and verdict.
import { SHARD_CACHE_BUDGET_BYTES } from "../src/worker/store/shard-cache.ts";
import { type BenchAllowlist, DEEP_KEY, DEEP_PATH } from "./allowlists.ts";
import type { LoadResult } from "./load.ts";
import { machineLines } from "./machine.ts";
import type { PublishTime } from "./publish-time.ts";
import { CONTENDERS, type Contender, ROUTED_GET, SCENARIOS } from "./scenarios.ts";
import type { ShardedAllowlist } from "./sharded.ts";
import { fixed, median, spreadPercent, whole } from "./stats.ts";

/** One timed measurement. */
export interface Cell extends LoadResult {
	cpuUsPerRequest: number;
	/** Bytes of log output the Workers wrote during the measurement. */
	logBytes: number;
}

/** First-request and warm latencies of one Worker over the workerd restarts, in ms. */
export interface Cold {
	first: number[];
	warm: number[];
}

export const keyOf = (contender: Contender, size: number, scenario: number) => `${contender}|${size}|${scenario}`;
/** The sharded gateway's cells, and those of the gateway at 10 entries measured right after each. */
export const shardedKey = (scenario: number) => `sharded|${scenario}`;
export const pairedKey = (scenario: number) => `paired-10|${scenario}`;
/** The header floor, measured right after the allowed GET of one size. */
export const floorKey = (size: number) => `floor|${size}`;
/** The gateway built with [assets] (wrangler.demo.toml), measured right after each scenario at 10 entries. */
export const assetsKey = (scenario: number) => `assets|${scenario}`;
/** The gateway over a routed document of `routes` routes (ROUTED_GET). */
export const routesKey = (routes: number) => `routes|${routes}`;

/** One cold-start subject: a fresh workerd per sample. */
export interface ColdRow {
	label: string;
	entries: number | null;
	/** How its allowlist is stored: none (the bare forwarder), one inline document, or shards. */
	layout: "none" | "inline" | "sharded";
	cold: Cold;
}

/** The sharded gateway under a flood of random origins. */
export interface Flood {
	requests: number;
	rps: number;
	/** The isolate's used V8 heap after a full GC, in bytes, before and after the flood. */
	heapBefore: number;
	heapAfter: number;
}

export interface ShardedRun {
	list: ShardedAllowlist;
	/** First and second requests for listed origins whose shard was not read yet. */
	unreadShard: Cold;
	flood: Flood;
	/** `cors-gateway push` of the same list (full runs only). */
	published?: PublishTime;
}

export interface BenchRun {
	quick: boolean;
	plan: { rounds: number; seconds: number; warmupSeconds: number; coldSamples: number };
	connections: number;
	sizes: readonly number[];
	/** How many Workers workerd ran. */
	workers: number;
	warmSamples: number;
	/** Requests checked before timing. */
	checked: number;
	lists: Map<number, BenchAllowlist>;
	/** Route counts of the routed documents, fewest first. */
	routeCounts: readonly number[];
	startLoad: string;
	/** The upstream measured alone, one cell per round. */
	upstream: Cell[];
	/** Per `keyOf(...)`, one cell per round. */
	cells: Map<string, Cell[]>;
	cold: ColdRow[];
	/** The command line's threshold: past it, a document is published as shards. */
	shardAbove: number;
	/** Bundle sizes of `wrangler deploy --dry-run`: wrangler.toml and wrangler.demo.toml. */
	bundles: { deployed: number; assets: number };
	sharded: ShardedRun;
}

function row(size: number, scenario: string, worker: string, c: Cell[], ratio: string): string {
	return `| ${whole(size)} | ${scenario} | ${worker} | ${whole(median(c.map((x) => x.rps)))} | ${fixed(spreadPercent(c.map((x) => x.rps)), 0)}% | ${fixed(median(c.map((x) => x.p50Ms)), 2)} | ${fixed(median(c.map((x) => x.p99Ms)), 2)} | ${whole(median(c.map((x) => x.cpuUsPerRequest)))} | ${c.reduce((n, x) => n + x.errors, 0)} | ${ratio} |`;
}

/** Per-round ratios a[i] ÷ b[i]: each pair was measured back to back. */
function ratios(a: Cell[], b: Cell[]): number[] {
	return a.map((cell, i) => cell.rps / (b[i] as Cell).rps);
}

export function report(run: BenchRun): string {
	const { quick, plan, connections, sizes, warmSamples, cells, cold, checked, lists, startLoad } = run;
	const upstreamCells = run.upstream;
	const lines: string[] = [];
	const out = (s = "") => lines.push(s);
	out(`# cors-gateway bench${quick ? " (--quick: one short round, a smoke test, not figures to quote)" : ""}`);
	out();
	for (const line of machineLines(true, startLoad)) out(line);
	out(
		`- method: Miniflare API, one workerd, ${run.workers} Workers on direct sockets (no Miniflare entry Worker in the path); autocannon in its own process, ${connections} keep-alive connections, no pipelining; upstream: Node http server in its own process`,
	);
	out(
		`- gateway: the configuration users deploy, built by \`wrangler deploy --dry-run\` from wrangler.toml (${whole(run.bundles.deployed)} bytes, no [assets]) and configured by wrangler from the same file; "gateway, [assets] on": the same from wrangler.demo.toml ([assets], run_worker_first), so every request passes the assets router first`,
	);
	out(
		`- ${plan.rounds} round(s) of ${plan.seconds} s per measurement, interleaved (for each size and scenario: gateway, bare, common, and after the allowed GET the header floor; then for each scenario: the sharded gateway, the gateway at 10 entries; then the gateway over ${run.routeCounts.map(whole).join(" and ")} routes, in turns first), after a ${plan.warmupSeconds} s warm-up of each; medians over rounds, spread = (max − min) / median`,
	);
	out(`- checked before timing: ${checked} requests answered with the expected status and headers`);
	out(
		`- allowlists: ${[...lists.values()].map((l) => `${whole(l.size)} entries = ${(l.text.length / 2 ** 20).toFixed(2)} MiB`).join(", ")} (4 exact : 1 wildcard); sharded: ${whole(run.sharded.list.size)} entries, same shape and settings`,
	);
	out();

	const up = median(upstreamCells.map((c) => c.rps));
	const fastest = Math.max(...[...cells.values()].map((c) => median(c.map((x) => x.rps))));
	out(
		`Upstream alone, same load generator (GET): ${whole(up)} req/s, p50 ${fixed(median(upstreamCells.map((c) => c.p50Ms)), 2)} ms, p99 ${fixed(median(upstreamCells.map((c) => c.p99Ms)), 2)} ms: ${fixed(up / fastest, 1)}× the fastest Worker measurement, so neither the upstream nor the load generator is the bottleneck.`,
	);
	out();

	out("## Throughput and latency");
	out();
	out(
		"| entries | scenario | Worker | req/s (median) | spread | p50 ms | p99 ms | workerd CPU µs/req | errors | gateway ÷ this |",
	);
	out("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	for (const size of sizes) {
		for (const [s, scenario] of SCENARIOS.entries()) {
			const gw = cells.get(keyOf("gateway", size, s)) as Cell[];
			for (const contender of CONTENDERS) {
				const c = cells.get(keyOf(contender, size, s)) as Cell[];
				const ratio = contender === "gateway" ? "" : fixed(median(ratios(gw, c)), 2);
				out(row(size, scenario.name, contender, c, ratio));
			}
			if (s === 0) {
				const floor = cells.get(floorKey(size)) as Cell[];
				out(row(size, scenario.name, "header floor", floor, fixed(median(ratios(gw, floor)), 2)));
			}
		}
	}
	out();
	out(
		"Ratios are medians of the per-round ratios (each pair measured back to back). The bare forwarder forwards every request, preflights and refusals included: its figure is the cost of forwarding that request. The header floor forwards like it and copies the response to set two fixed headers: the least any Worker that adds CORS headers pays.",
	);
	out();

	out("## The default configuration against [assets] on (10 entries)");
	out();
	out(
		"| scenario | default: req/s | CPU µs/req | ÷ bare | [assets] on: req/s | CPU µs/req | ÷ bare | [assets] on ÷ default |",
	);
	out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	const rpsOf = (c: Cell[]) => median(c.map((x) => x.rps));
	const cpuPer = (c: Cell[]) => median(c.map((x) => x.cpuUsPerRequest));
	const bare10 = cells.get(keyOf("bare", sizes[0] as number, 0)) as Cell[];
	for (const [s, scenario] of SCENARIOS.entries()) {
		const gw = cells.get(keyOf("gateway", sizes[0] as number, s)) as Cell[];
		const withAssets = cells.get(assetsKey(s)) as Cell[];
		out(
			`| ${scenario.name} | ${whole(rpsOf(gw))} | ${whole(cpuPer(gw))} | ${fixed(median(ratios(gw, bare10)), 2)} | ${whole(rpsOf(withAssets))} | ${whole(cpuPer(withAssets))} | ${fixed(median(ratios(withAssets, bare10)), 2)} | ${fixed(rpsOf(withAssets) / rpsOf(gw), 2)} |`,
		);
	}
	out();
	out(
		"Both against the bare forwarder's allowed GET of the same round (for preflights and refusals: its forwarded GET). The [assets] column is what every request pays for a declared `[assets]` block, whether or not a route serves assets.",
	);
	out();

	out("## Refusals: log volume under a flood from one origin");
	out();
	out("| entries | refusals (timed, all rounds) | log output | bytes per refusal | refused req/s ÷ bare |");
	out("| ---: | ---: | ---: | ---: | ---: |");
	const refused = 2;
	for (const size of sizes) {
		const c = cells.get(keyOf("gateway", size, refused)) as Cell[];
		const n = c.reduce((sum, x) => sum + x.requests, 0);
		const bytes = c.reduce((sum, x) => sum + x.logBytes, 0);
		const vsBare = median(ratios(c, cells.get(keyOf("bare", size, 0)) as Cell[]));
		out(`| ${whole(size)} | ${whole(n)} | ${kib(bytes)} KiB | ${fixed(bytes / n, 1)} | ${fixed(vsBare, 2)} |`);
	}
	out();
	out(
		"Every timed refusal comes from the same origin (listed nowhere), back to back; the log output is every byte the Worker wrote to its log during those measurements (each line and its newline), as workerd hands it to Miniflare.",
	);
	out();

	out("## Flatness: the gateway at 10, 10,000 and 100,000 entries");
	out();
	out("| scenario | req/s: 10 | 10,000 | 100,000 | 100,000 ÷ 10 | CPU µs/req: 10 | 10,000 | 100,000 | 10 ÷ 100,000 |");
	out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	for (const [s, scenario] of SCENARIOS.entries()) {
		const bySize = sizes.map((size) => cells.get(keyOf("gateway", size, s)) as Cell[]);
		const flat = median(ratios(bySize[2] as Cell[], bySize[0] as Cell[]));
		const cpu = bySize.map((c) => median(c.map((x) => x.cpuUsPerRequest)));
		out(
			`| ${scenario.name} | ${bySize.map((c) => whole(median(c.map((x) => x.rps)))).join(" | ")} | ${fixed(flat, 2)} | ${cpu.map(whole).join(" | ")} | ${fixed((cpu[0] as number) / (cpu[2] as number), 2)} |`,
		);
	}
	out();
	out("CPU per request is the steadier figure when other work shares the machine (see the spread column above).");
	out();

	out("## Cold start: a fresh workerd, its first answer (allowed GET)");
	out();
	out("| allowlist | first answer ms (median) | warm answer ms (median) | added by the start ms | samples ms |");
	out("| --- | ---: | ---: | ---: | --- |");
	for (const row of cold) {
		const c = row.cold;
		out(
			`| ${row.label} | ${fixed(median(c.first), 1)} | ${fixed(median(c.warm), 2)} | ${fixed(addedMs(c), 1)} | ${c.first.map((x) => fixed(x, 0)).join(", ")} |`,
		);
	}
	out();
	out(
		`${plan.coldSamples} sample(s) per row, each a new workerd process with only that Worker and its allowlist already in the (persisted) local KV: timed from workerd being ready to the first answer; then ${warmSamples} sequential warm requests to the same isolate. Added = median first − median warm. The bare forwarder's row is the cost of a fresh process and isolate alone. The command line publishes past ${whole(run.shardAbove)} entries as shards.`,
	);
	out();

	const sh = shardedSection(run);
	for (const line of sh.lines) out(line);
	const rt = routesSection(run);
	for (const line of rt.lines) out(line);

	out("## Targets");
	out();
	const allowed = 0;
	const answered = [1, 2];
	const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
	const gwBare = sizes.map((size) =>
		median(
			ratios(cells.get(keyOf("gateway", size, allowed)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[]),
		),
	);
	const cpuOf = (c: Contender, size: number, s: number) =>
		median((cells.get(keyOf(c, size, s)) as Cell[]).map((x) => x.cpuUsPerRequest));
	const cpuBare = sizes.map((size) => cpuOf("bare", size, allowed) / cpuOf("gateway", size, allowed));
	const floorBare = sizes.map((size) =>
		median(ratios(cells.get(floorKey(size)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[])),
	);
	const assetsBare = median(
		ratios(cells.get(assetsKey(allowed)) as Cell[], cells.get(keyOf("bare", sizes[0] as number, allowed)) as Cell[]),
	);
	out(
		`- allowed GET, the default configuration (wrangler.toml, as deployed) ≥ 0.95× bare at every size: ${gwBare.map((r) => fixed(r, 2)).join(", ")} → ${verdict(gwBare.every((r) => r >= 0.95))} (by CPU per request, bare ÷ gateway: ${cpuBare.map((r) => fixed(r, 2)).join(", ")}; the header floor ÷ bare: ${floorBare.map((r) => fixed(r, 2)).join(", ")}; with [assets] on, not the default: ${fixed(assetsBare, 2)} at 10 entries)`,
	);
	// Against the bare forwarder's forwarded GET of the same round.
	for (const [s, what] of answered.map((s) => [s, s === 1 ? "preflights" : "refusals"] as const)) {
		const r = sizes.map((size) =>
			median(ratios(cells.get(keyOf("gateway", size, s)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[])),
		);
		out(
			`- ${what} ≥ 1.5× bare's forwarded throughput: ${r.map((x) => fixed(x, 2)).join(", ")} → ${verdict(r.every((x) => x >= 1.5))}`,
		);
	}
	const refusedCells = sizes.flatMap((size) => cells.get(keyOf("gateway", size, 2)) as Cell[]);
	const refusals = refusedCells.reduce((n, x) => n + x.requests, 0);
	const refusalLog = refusedCells.reduce((n, x) => n + x.logBytes, 0);
	out(
		`- log volume of a flood of refusals from one origin: ${kib(refusalLog)} KiB for ${whole(refusals)} refusals (${fixed(refusalLog / refusals, 1)} bytes per refusal)`,
	);
	const gwCommon = sizes.flatMap((size) =>
		SCENARIOS.map((_, s) =>
			median(ratios(cells.get(keyOf("gateway", size, s)) as Cell[], cells.get(keyOf("common", size, s)) as Cell[])),
		),
	);
	const at100k = SCENARIOS.map((_, s) => gwCommon[2 * SCENARIOS.length + s] as number);
	out(
		`- gateway ≥ common in every scenario: lowest ratio ${fixed(Math.min(...gwCommon), 2)}; at 100,000 entries ${at100k.map((r) => `${fixed(r, 1)}×`).join(", ")} → ${verdict(gwCommon.every((r) => r >= 1))}`,
	);
	const flat = SCENARIOS.map((_, s) =>
		median(
			ratios(
				cells.get(keyOf("gateway", sizes[2] as number, s)) as Cell[],
				cells.get(keyOf("gateway", sizes[0] as number, s)) as Cell[],
			),
		),
	);
	const flatCpu = SCENARIOS.map(
		(_, s) => cpuOf("gateway", sizes[0] as number, s) / cpuOf("gateway", sizes[2] as number, s),
	);
	out(
		`- flat, 100,000 entries within 10% of 10: ${flat.map((r) => fixed(r, 2)).join(", ")} → ${verdict(flat.every((r) => r >= 0.9))} (by CPU per request: ${flatCpu.map((r) => fixed(r, 2)).join(", ")} → ${verdict(flatCpu.every((r) => r >= 0.9))})`,
	);
	// Every list as the command line publishes it: inline up to the threshold, sharded past it.
	const published = cold.filter(
		(r) => (r.layout === "inline" && (r.entries as number) <= run.shardAbove) || r.layout === "sharded",
	);
	const worst = Math.max(...published.map((r) => addedMs(r.cold)));
	out(
		`- cold start under 50 ms added, every list as the command line publishes it (inline up to ${whole(run.shardAbove)} entries, sharded past it): ${published.map((r) => `${r.layout} ${whole(r.entries as number)}: ${fixed(addedMs(r.cold), 1)} ms`).join(", ")} → ${verdict(worst < 50)}`,
	);
	out(
		`- allowed GET, sharded ${whole(run.sharded.list.size)} within 10% of 10 entries once its shards are cached: ${fixed(sh.allowedRatio, 2)} (by CPU per request, 10 ÷ sharded: ${fixed(sh.allowedCpuRatio, 2)}) → ${verdict(sh.allowedRatio >= 0.9)}`,
	);
	out(
		`- route lookup flat, an allowed GET under the deepest of ${rt.label} within 10% of ${rt.baseLabel}: ${fixed(rt.ratio, 2)} (by CPU per request: ${fixed(rt.cpuRatio, 2)}) → ${verdict(rt.ratio >= 0.9)}`,
	);
	return lines.join("\n");
}

/** The gateway over the routed documents: the same allowed GET with few routes and with many. */
function routesSection(run: BenchRun): {
	lines: string[];
	label: string;
	baseLabel: string;
	ratio: number;
	cpuRatio: number;
} {
	const lines: string[] = [];
	const out = (s = "") => lines.push(s);
	const counts = run.routeCounts;
	const label = (n: number) => `${whole(n)} route${n === 1 ? "" : "s"}`;
	const cellsOf = (n: number) => run.cells.get(routesKey(n)) as Cell[];
	const cpu = (c: Cell[]) => median(c.map((x) => x.cpuUsPerRequest));
	const few = counts[0] as number;
	const many = counts.at(-1) as number;
	out(`## Routes: ${counts.map(label).join(" against ")}`);
	out();
	out(
		`The gateway as deployed over two documents of the same shape (bench/allowlists.ts \`routedDocument\`, also bench:core's): the key ${DEEP_KEY}, then shallower keys up to the count. The request is \`${ROUTED_GET.name}\`: GET ${DEEP_PATH} from the origin that key lists, so each lookup tries every candidate prefix of the path before it finds the deepest; checked before timing to be decided by that route.`,
	);
	out();
	out("| routes | req/s (median) | spread | p50 ms | p99 ms | workerd CPU µs/req | errors |");
	out("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	for (const count of counts) {
		const c = cellsOf(count);
		out(
			`| ${whole(count)} | ${whole(median(c.map((x) => x.rps)))} | ${fixed(spreadPercent(c.map((x) => x.rps)), 0)}% | ${fixed(median(c.map((x) => x.p50Ms)), 2)} | ${fixed(median(c.map((x) => x.p99Ms)), 2)} | ${whole(cpu(c))} | ${c.reduce((n, x) => n + x.errors, 0)} |`,
		);
	}
	const perRound = ratios(cellsOf(many), cellsOf(few));
	const ratio = median(perRound);
	const cpuRatio = cpu(cellsOf(few)) / cpu(cellsOf(many));
	out();
	out(
		`${whole(many)} ÷ ${whole(few)}: ${fixed(ratio, 2)} by throughput (median of the per-round ratios ${perRound.map((r) => fixed(r, 2)).join(", ")}, each pair measured back to back), ${fixed(cpuRatio, 2)} by CPU per request (${whole(few)} ÷ ${whole(many)}); flat is 1.00.`,
	);
	out();
	return { lines, label: label(many), baseLabel: label(few), ratio, cpuRatio };
}

const mib = (bytes: number) => fixed(bytes / 2 ** 20, 1);
const kib = (bytes: number) => fixed(bytes / 1024, 1);
const addedMs = (c: Cold) => median(c.first) - median(c.warm);

/** The sharded gateway's figures: throughput beside the gateway at 10 entries, shard reads, cold start, flood, publishing. */
function shardedSection(run: BenchRun): { lines: string[]; allowedRatio: number; allowedCpuRatio: number } {
	const { list, unreadShard, flood, published } = run.sharded;
	const { manifest } = list.plan;
	const lines: string[] = [];
	const out = (s = "") => lines.push(s);
	const cellsOf = (key: string) => run.cells.get(key) as Cell[];
	const rps = (c: Cell[]) => median(c.map((x) => x.rps));
	const cpu = (c: Cell[]) => median(c.map((x) => x.cpuUsPerRequest));
	const filterBytes = list.writes.at(-1)?.value.length ?? 0;
	const shardBytes = list.writes.slice(0, -1).reduce((n, w) => n + w.value.length, 0);
	out(`## Sharded allowlists: ${whole(list.size)} origins`);
	out();
	out(
		`The same gateway bundle over its own KV namespace, published as the command line does: ${whole(manifest.entries)} entries in ${whole(manifest.count)} shards (${mib(shardBytes)} MiB of text, version ${manifest.version}, wildcard depths ${manifest.wildcardDepths.join(", ")}), a ${mib(filterBytes)} MiB membership filter, then the \`allowlist\` document naming them (no inline origins).`,
	);
	out();
	out("### Throughput once the needed shards are cached (after the warm-up)");
	out();
	out(
		"| scenario | sharded req/s | spread | p50 ms | p99 ms | CPU µs/req | 10 entries, right after: req/s | CPU µs/req | sharded ÷ 10 | CPU 10 ÷ sharded |",
	);
	out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
	const ratiosBy = SCENARIOS.map((scenario, s) => {
		const sc = cellsOf(shardedKey(s));
		const ten = cellsOf(pairedKey(s));
		const ratio = median(ratios(sc, ten));
		const cpuRatio = cpu(ten) / cpu(sc);
		out(
			`| ${scenario.name} | ${whole(rps(sc))} | ${fixed(spreadPercent(sc.map((x) => x.rps)), 0)}% | ${fixed(median(sc.map((x) => x.p50Ms)), 2)} | ${fixed(median(sc.map((x) => x.p99Ms)), 2)} | ${whole(cpu(sc))} | ${whole(rps(ten))} | ${whole(cpu(ten))} | ${fixed(ratio, 2)} | ${fixed(cpuRatio, 2)} |`,
		);
		return { ratio, cpuRatio };
	});
	out();
	out(
		"Each sharded measurement is followed at once by the same scenario at 10 entries (unsharded); the ratio is the median of the per-round ratios.",
	);
	out();
	out("### Shard reads, cold start, flood, publishing");
	out();
	const first = median(unreadShard.first);
	const warm = median(unreadShard.warm);
	out("| figure | value |");
	out("| --- | ---: |");
	const timed = SCENARIOS.reduce((n, _, s) => n + cellsOf(shardedKey(s)).reduce((m, c) => m + c.requests, 0), 0);
	out(
		`| shard and filter reads per request in steady state (shards deleted from KV after the warm-up; ${whole(timed)} timed requests answered as expected) | 0 |`,
	);
	out(
		`| first request for a listed origin whose shard is not cached (${unreadShard.first.length} origins, each in its own shard) | ${fixed(first, 2)} ms (median) |`,
	);
	out(`| the same origins again, shard cached | ${fixed(warm, 2)} ms |`);
	out(`| added by reading and checking one shard | ${fixed(first - warm, 2)} ms |`);
	out(
		`| flood: ${whole(flood.requests)} requests, each from a new random origin (all refused) | ${whole(flood.rps)} req/s |`,
	);
	out(
		`| isolate heap (V8 used, after GC) before → after the flood | ${mib(flood.heapBefore)} → ${mib(flood.heapAfter)} MiB (+${mib(flood.heapAfter - flood.heapBefore)}; shard cache budget ${mib(SHARD_CACHE_BUDGET_BYTES)} MiB estimated; the filter's ${mib(filterBytes)} MiB are outside V8's heap) |`,
	);
	out(
		published === undefined
			? "| `cors-gateway push` of the same list into a fresh local KV directory | full runs only |"
			: `| \`cors-gateway push\` of ${whole(published.entries)} origins into a fresh local KV directory (${published.summary}) | ${fixed(published.ms / 1000, 1)} s |`,
	);
	out();
	out(
		`The shard-read rows come from the restart with workerd's inspector on, before the flood: once the sharded gateway had answered its first requests, ${UNREAD_COUNT_NOTE}. The heap is read through the inspector; nothing timed runs there but these requests and the flood. Cold starts of sharded lists are in the cold-start table.`,
	);
	out();
	const allowed = ratiosBy[0] as { ratio: number; cpuRatio: number };
	return { lines, allowedRatio: allowed.ratio, allowedCpuRatio: allowed.cpuRatio };
}

const UNREAD_COUNT_NOTE =
	"each listed origin of a shard it had not read was requested once (one KV read of the shard), then each again (cached), sequentially";
