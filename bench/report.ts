// The bench's report: Markdown tables of every measurement, the ratios side by side, and
// each target of issue 6 with its figure and verdict.
import type { BenchAllowlist } from "./allowlists.ts";
import type { LoadResult } from "./load.ts";
import { machineLines } from "./machine.ts";
import { CONTENDERS, type Contender, SCENARIOS } from "./scenarios.ts";
import { fixed, median, spreadPercent, whole } from "./stats.ts";

/** One timed measurement. */
export interface Cell extends LoadResult {
	cpuUsPerRequest: number;
}

/** First-request and warm latencies of one Worker over the workerd restarts, in ms. */
export interface Cold {
	first: number[];
	warm: number[];
}

export const keyOf = (contender: Contender, size: number, scenario: number) => `${contender}|${size}|${scenario}`;

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
	startLoad: string;
	/** The upstream measured alone, one cell per round. */
	upstream: Cell[];
	/** Per `keyOf(...)`, one cell per round. */
	cells: Map<string, Cell[]>;
	/** Per Worker name. */
	cold: Map<string, Cold>;
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
		`- ${plan.rounds} round(s) of ${plan.seconds} s per measurement, interleaved (for each size and scenario: gateway, bare, common), after a ${plan.warmupSeconds} s warm-up of each; medians over rounds, spread = (max − min) / median`,
	);
	out(`- checked before timing: ${checked} requests answered with the expected status and headers`);
	out(
		`- allowlists: ${[...lists.values()].map((l) => `${whole(l.size)} entries = ${(l.text.length / 2 ** 20).toFixed(2)} MiB`).join(", ")} (4 exact : 1 wildcard)`,
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
				out(
					`| ${whole(size)} | ${scenario.name} | ${contender} | ${whole(median(c.map((x) => x.rps)))} | ${fixed(spreadPercent(c.map((x) => x.rps)), 0)}% | ${fixed(median(c.map((x) => x.p50Ms)), 2)} | ${fixed(median(c.map((x) => x.p99Ms)), 2)} | ${whole(median(c.map((x) => x.cpuUsPerRequest)))} | ${c.reduce((n, x) => n + x.errors, 0)} | ${ratio} |`,
				);
			}
		}
	}
	out();
	out(
		"Ratios are medians of the per-round ratios (each pair measured back to back). The bare forwarder forwards every request, preflights and refusals included: its figure is the cost of forwarding that request.",
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

	out("## Cold start: first request of a new isolate (allowed GET)");
	out();
	out("| Worker | first request ms (median) | warm request ms (median) | added by the cold start ms |");
	out("| --- | ---: | ---: | ---: |");
	for (const [name, c] of cold) {
		const first = median(c.first);
		const warm = median(c.warm);
		out(`| ${name} | ${fixed(first, 1)} | ${fixed(warm, 2)} | ${fixed(first - warm, 1)} |`);
	}
	out();
	out(
		`${plan.coldSamples} restart(s) of workerd; in each, the first request to every Worker, one after another, then ${warmSamples} sequential warm requests each. The bare forwarder's row is the cost of a new isolate alone.`,
	);
	out();

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
	out(
		`- allowed GET, gateway ≥ 0.95× bare at every size: ${gwBare.map((r) => fixed(r, 2)).join(", ")} → ${verdict(gwBare.every((r) => r >= 0.95))} (by CPU per request, bare ÷ gateway: ${cpuBare.map((r) => fixed(r, 2)).join(", ")})`,
	);
	// Against the bare forwarder's forwarded GET of the same round.
	const answeredRatios = sizes.flatMap((size) =>
		answered.map((s) =>
			median(ratios(cells.get(keyOf("gateway", size, s)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[])),
		),
	);
	out(
		`- preflights and refusals ≥ 1.5× bare's forwarded throughput: ${answeredRatios.map((r) => fixed(r, 2)).join(", ")} (preflight, refusal at each size) → ${verdict(answeredRatios.every((r) => r >= 1.5))}`,
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
	const cold100k = cold.get(`gateway-${sizes[2]}`) as Cold;
	const added = median(cold100k.first) - median(cold100k.warm);
	out(`- cold start with 100,000 entries under 50 ms added: ${fixed(added, 1)} ms → ${verdict(added < 50)}`);
	return lines.join("\n");
}
