// `npm run bench [-- --quick] [-- --out FILE]`: the gateway, a bare forwarding Worker and
// the common Hono version, side by side in one workerd (Miniflare's API, each Worker on
// its own direct socket on loopback), with the same KV documents and the same upstream.
// The load generator and the upstream run in their own processes. Every measurement is
// checked (statuses, errors); the run fails if any answer is not the expected one.
import { type ChildProcess, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { type BenchAllowlist, benchAllowlist } from "./allowlists.ts";
import { bundle, compatibilityDate, type WorkerName } from "./bundle.ts";
import type { LoadRequest, LoadResult } from "./load.ts";
import { loadAverage, machineLines } from "./machine.ts";
import { CONTENDERS, type Contender, SCENARIOS, type Scenario } from "./scenarios.ts";
import { fixed, median, spreadPercent, whole } from "./stats.ts";
import { workerdCpuMeter } from "./workerd-cpu.ts";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined;

const PLAN = QUICK
	? { rounds: 1, seconds: 1, warmupSeconds: 0.3, coldSamples: 1 }
	: { rounds: 5, seconds: 2, warmupSeconds: 1, coldSamples: 5 };
const CONNECTIONS = 8;
const SIZES = [10, 10_000, 100_000];
const WARM_SAMPLES = 20;
const HOST = "127.0.0.1";
// The team's port range for this bench: 18800-18899.
const PORT = { upstream: 18801, miniflare: 18810, firstWorker: 18811 };
const UPSTREAM_URL = `http://${HOST}:${PORT.upstream}`;

interface Target {
	contender: Contender;
	/** Allowlist size; null for the bare forwarder, which reads no allowlist. */
	size: number | null;
	name: string;
	port: number;
}

const targets: Target[] = [{ contender: "bare", size: null, name: "bare", port: PORT.firstWorker }];
for (const size of SIZES) {
	for (const contender of ["gateway", "common"] as const) {
		targets.push({ contender, size, name: `${contender}-${size}`, port: PORT.firstWorker + targets.length });
	}
}

function targetFor(contender: Contender, size: number): Target {
	return targets.find((t) => t.contender === contender && (t.size === size || t.size === null)) as Target;
}

function urlOf(target: Target): string {
	return `http://${HOST}:${target.port}/api/orders?page=2`;
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

const ENTRY: Record<Contender, WorkerName> = { gateway: "gateway", bare: "bare", common: "common" };

async function miniflareOptions(): Promise<MiniflareOptions> {
	const date = compatibilityDate();
	const code = new Map<Contender, string>();
	for (const c of CONTENDERS) code.set(c, await bundle(ENTRY[c]));
	return {
		host: HOST,
		port: PORT.miniflare,
		// The gateway logs every refusal as a JSON line; the bench keeps that cost in the
		// Worker (console.log runs) but does not print a line per request.
		handleStructuredLogs: () => {},
		workers: targets.map((t) => ({
			config: {
				name: t.name,
				compatibilityDate: date,
				manifest: {
					mainModule: "worker.mjs",
					modules: { "worker.mjs": { type: "esm" as const, contents: code.get(t.contender) as string } },
				},
				env: {
					UPSTREAM_URL: { type: "text" as const, value: UPSTREAM_URL },
					// Gateway and common version of one size read the same KV namespace.
					...(t.size === null ? {} : { ALLOWLIST: { type: "kv" as const, id: `allowlist-${t.size}` } }),
				},
			},
			dev: { unsafeDirectSockets: [{ host: HOST, port: t.port, proxy: false }] },
		})),
	};
}

async function seed(mf: Miniflare, lists: Map<number, BenchAllowlist>): Promise<void> {
	for (const [size, list] of lists) {
		const kv = await mf.getKVNamespace("ALLOWLIST", `gateway-${size}`);
		await kv.put("allowlist", list.text);
	}
}

// --- checks before timing --------------------------------------------------------------

async function upstreamCount(upstream: ChildProcess): Promise<number> {
	return (await ask<{ received: number }>(upstream, "count")).received;
}

async function verify(upstream: ChildProcess, lists: Map<number, BenchAllowlist>): Promise<number> {
	const N = 3;
	let checked = 0;
	for (const [size, list] of lists) {
		for (const scenario of SCENARIOS) {
			for (const contender of CONTENDERS) {
				const target = targetFor(contender, size);
				const where = `${scenario.name} → ${target.name}`;
				const before = await upstreamCount(upstream);
				for (let i = 0; i < N; i++) {
					const res = await fetch(urlOf(target), { method: scenario.method, headers: scenario.headers(list) });
					await res.arrayBuffer();
					checked++;
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
				if (reached !== expected)
					failures.push(`${where}: upstream received ${reached} requests, expected ${expected}`);
			}
		}
	}
	return checked;
}

// --- timed measurements ----------------------------------------------------------------

interface Cell extends LoadResult {
	cpuUsPerRequest: number;
}

const cells = new Map<string, Cell[]>();
const keyOf = (contender: Contender, size: number, scenario: number) => `${contender}|${size}|${scenario}`;

async function measure(
	load: ChildProcess,
	cpu: (() => number) | undefined,
	url: string,
	scenario: Scenario,
	list: BenchAllowlist,
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
	// Let requests the load generator abandoned at the deadline finish before the next measurement.
	await sleep(Math.min(2_000, Math.max(100, 2 * r.p99Ms)));
	return { ...r, cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / r.requests };
}

// --- cold start ----------------------------------------------------------------------

interface Cold {
	first: number[];
	warm: number[];
}

async function timeOne(url: string, headers: Record<string, string>, expected: number, where: string): Promise<number> {
	const start = performance.now();
	const res = await fetch(url, { headers });
	await res.arrayBuffer();
	const ms = performance.now() - start;
	if (res.status !== expected) failures.push(`${where}: status ${res.status}, expected ${expected}`);
	return ms;
}

async function coldStarts(
	mf: Miniflare,
	options: MiniflareOptions,
	lists: Map<number, BenchAllowlist>,
): Promise<Map<string, Cold>> {
	const cold = new Map<string, Cold>();
	const subjects = [targets[0] as Target, ...SIZES.map((s) => targetFor("gateway", s))];
	for (let sample = 0; sample < PLAN.coldSamples; sample++) {
		// A restarted workerd: every Worker gets a new isolate with nothing loaded.
		await mf.setOptions(options);
		await seed(mf, lists);
		for (const t of subjects) {
			const list = lists.get(t.size ?? 10) as BenchAllowlist;
			const entry = cold.get(t.name) ?? { first: [], warm: [] };
			cold.set(t.name, entry);
			entry.first.push(await timeOne(urlOf(t), { origin: list.lateExact }, 200, `cold start of ${t.name}`));
		}
		for (const t of subjects) {
			const list = lists.get(t.size ?? 10) as BenchAllowlist;
			const warm: number[] = [];
			for (let i = 0; i < WARM_SAMPLES; i++)
				warm.push(await timeOne(urlOf(t), { origin: list.lateExact }, 200, t.name));
			(cold.get(t.name) as Cold).warm.push(median(warm));
		}
	}
	return cold;
}

// --- report --------------------------------------------------------------------------

function ratios(a: Cell[], b: Cell[]): number[] {
	return a.map((cell, i) => cell.rps / (b[i] as Cell).rps);
}

function report(
	upstreamCells: Cell[],
	cold: Map<string, Cold>,
	checked: number,
	lists: Map<number, BenchAllowlist>,
	startLoad: string,
): string {
	const lines: string[] = [];
	const out = (s = "") => lines.push(s);
	out(`# cors-gateway bench${QUICK ? " (--quick: one short round, a smoke test, not figures to quote)" : ""}`);
	out();
	for (const line of machineLines(true, startLoad)) out(line);
	out(
		`- method: Miniflare API, one workerd, ${targets.length} Workers on direct sockets (no Miniflare entry Worker in the path); autocannon in its own process, ${CONNECTIONS} keep-alive connections, no pipelining; upstream: Node http server in its own process`,
	);
	out(
		`- ${PLAN.rounds} round(s) of ${PLAN.seconds} s per measurement, interleaved (for each size and scenario: gateway, bare, common), after a ${PLAN.warmupSeconds} s warm-up of each; medians over rounds, spread = (max − min) / median`,
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
	for (const size of SIZES) {
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
		const bySize = SIZES.map((size) => cells.get(keyOf("gateway", size, s)) as Cell[]);
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
		`${PLAN.coldSamples} restart(s) of workerd; in each, the first request to every Worker, one after another, then ${WARM_SAMPLES} sequential warm requests each. The bare forwarder's row is the cost of a new isolate alone.`,
	);
	out();

	out("## Targets");
	out();
	const allowed = 0;
	const answered = [1, 2];
	const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
	const gwBare = SIZES.map((size) =>
		median(
			ratios(cells.get(keyOf("gateway", size, allowed)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[]),
		),
	);
	const cpuOf = (c: Contender, size: number, s: number) =>
		median((cells.get(keyOf(c, size, s)) as Cell[]).map((x) => x.cpuUsPerRequest));
	const cpuBare = SIZES.map((size) => cpuOf("bare", size, allowed) / cpuOf("gateway", size, allowed));
	out(
		`- allowed GET, gateway ≥ 0.95× bare at every size: ${gwBare.map((r) => fixed(r, 2)).join(", ")} → ${verdict(gwBare.every((r) => r >= 0.95))} (by CPU per request, bare ÷ gateway: ${cpuBare.map((r) => fixed(r, 2)).join(", ")})`,
	);
	// Against the bare forwarder's forwarded GET of the same round.
	const answeredRatios = SIZES.flatMap((size) =>
		answered.map((s) =>
			median(ratios(cells.get(keyOf("gateway", size, s)) as Cell[], cells.get(keyOf("bare", size, allowed)) as Cell[])),
		),
	);
	out(
		`- preflights and refusals ≥ 1.5× bare's forwarded throughput: ${answeredRatios.map((r) => fixed(r, 2)).join(", ")} (preflight, refusal at each size) → ${verdict(answeredRatios.every((r) => r >= 1.5))}`,
	);
	const gwCommon = SIZES.flatMap((size) =>
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
				cells.get(keyOf("gateway", SIZES[2] as number, s)) as Cell[],
				cells.get(keyOf("gateway", SIZES[0] as number, s)) as Cell[],
			),
		),
	);
	const flatCpu = SCENARIOS.map(
		(_, s) => cpuOf("gateway", SIZES[0] as number, s) / cpuOf("gateway", SIZES[2] as number, s),
	);
	out(
		`- flat, 100,000 entries within 10% of 10: ${flat.map((r) => fixed(r, 2)).join(", ")} → ${verdict(flat.every((r) => r >= 0.9))} (by CPU per request: ${flatCpu.map((r) => fixed(r, 2)).join(", ")} → ${verdict(flatCpu.every((r) => r >= 0.9))})`,
	);
	const cold100k = cold.get(`gateway-${SIZES[2]}`) as Cold;
	const added = median(cold100k.first) - median(cold100k.warm);
	out(`- cold start with 100,000 entries under 50 ms added: ${fixed(added, 1)} ms → ${verdict(added < 50)}`);
	return lines.join("\n");
}

// --- main ----------------------------------------------------------------------------

async function main(): Promise<void> {
	const startLoad = loadAverage();
	const lists = new Map(SIZES.map((size) => [size, benchAllowlist(size)]));
	const upstream = await startChild("./upstream.ts", [String(PORT.upstream)]);
	const load = await startChild("./load.ts", []);
	let mf: Miniflare | undefined;
	try {
		const options = await miniflareOptions();
		mf = new Miniflare(options);
		await mf.ready;
		await seed(mf, lists);
		const cpu = workerdCpuMeter();

		const checked = await verify(upstream, lists);
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

		for (const size of SIZES)
			for (const s of SCENARIOS.keys()) for (const c of CONTENDERS) await cellAt(c, size, s, PLAN.warmupSeconds);

		const upstreamCells: Cell[] = [];
		for (let round = 0; round < PLAN.rounds; round++) {
			console.error(`round ${round + 1} of ${PLAN.rounds} (load average ${loadAverage()})`);
			upstreamCells.push(
				await measure(load, undefined, upstreamUrl, plainGet, anyList, 200, PLAN.seconds, "upstream alone"),
			);
			for (const size of SIZES) {
				for (const s of SCENARIOS.keys()) {
					for (const c of CONTENDERS) {
						const cell = await cellAt(c, size, s, PLAN.seconds);
						const key = keyOf(c, size, s);
						cells.set(key, [...(cells.get(key) ?? []), cell]);
					}
				}
			}
		}

		console.error("cold starts");
		const cold = await coldStarts(mf, options, lists);
		const text = report(upstreamCells, cold, checked, lists, startLoad);
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
