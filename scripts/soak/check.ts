// The soak run's judgement: each response against what policy A or policy B allows, the
// gateway's log lines against the refusals, the upstream's count against the forwarded
// answers, the isolate's heap growth, the allowlist changes; and the report.
import type { Expected, PolicyName } from "./plan.ts";

/** Every failure counted; the first few kept for the report. */
export class Verdict {
	count = 0;
	readonly messages: string[] = [];

	fail(message: string): void {
		this.count++;
		if (this.messages.length < 10) this.messages.push(message);
	}
}

/** Which policy a response is consistent with: A, B, both, or (undefined) neither. */
export function judge(
	expect: Record<PolicyName, Expected>,
	status: number,
	cors: string,
): PolicyName | "both" | undefined {
	const a = status === expect.A.status && cors === expect.A.cors;
	const b = status === expect.B.status && cors === expect.B.cors;
	return a && b ? "both" : a ? "A" : b ? "B" : undefined;
}

/** A response's `access-control-*` headers, as the expectations of plan.ts hold them. */
export function corsOf(headers: Headers): string {
	return JSON.stringify([...headers].filter(([name]) => name.startsWith("access-control-")).sort());
}

/** The gateway's `cors-refused` log lines in wrangler dev's output. */
export function refusalLines(log: string): number {
	return (log.match(/"event":"cors-refused"/g) ?? []).length;
}

/** One allowlist change: when it was written, and when an answer only the new policy gives first came (NaN: not yet). */
export interface Change {
	at: number;
	to: PolicyName;
	effective: number;
}

/** What the load phase saw, and what was measured around it. */
export interface SoakRun {
	concurrency: number;
	elapsed: number;
	/** Latency of each request, in ms. */
	latencies: Float64Array;
	seen: Record<PolicyName | "both", number>;
	changes: Change[];
	connectionsOpened: number;
	connectionErrors: number;
	timeouts: number;
	refused: number;
	forwarded: number;
	upstreamReceived: number;
	refusalLines: number;
	/** Seconds, workerd RSS MiB, isolate heap MiB: about once a second. */
	memory: [number, number, number][];
	/** The isolate's live heap (MiB) after the warm-up and at the end. */
	liveHeap: { warm: number; end: number };
	maxHeapGrowthMib: number;
}

/** Prints the report and records every failure it finds, in the order of its lines. */
export function report(run: SoakRun, verdict: Verdict): void {
	// Refused and preflight requests must never have reached the upstream.
	if (run.upstreamReceived !== run.forwarded)
		verdict.fail(`the upstream received ${run.upstreamReceived} requests, but ${run.forwarded} were forwarded answers`);
	const done = run.latencies.length;
	const sorted = run.latencies.slice().sort();
	const pct = (p: number) => sorted[Math.min(done - 1, Math.floor((p / 100) * done))]?.toFixed(1);
	const mib = (n: number) => n.toFixed(1);
	console.log(
		`\nrequests:   ${done} in ${run.elapsed.toFixed(1)} s (${(done / run.elapsed).toFixed(0)}/s), ${run.concurrency} concurrent`,
	);
	console.log(`answers:    ${run.seen.both} same under A and B, ${run.seen.A} only A, ${run.seen.B} only B`);
	console.log(
		`changes:    ${run.changes.map((c) => `→${c.to} written at ${c.at.toFixed(1)} s, in effect by ${Number.isNaN(c.effective) ? "never" : `${c.effective.toFixed(1)} s`}`).join("; ")}`,
	);
	console.log(
		`connections: ${run.connectionsOpened} opened (keep-alive), ${run.connectionErrors} connection errors (resets, closed sockets), ${run.timeouts} timeouts`,
	);
	console.log(`refused:    ${run.refused} responses, ${run.refusalLines} cors-refused log lines`);
	console.log(`upstream:   ${run.upstreamReceived} requests received, ${run.forwarded} forwarded answers`);
	console.log(`latency ms: p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${sorted[done - 1]?.toFixed(1)}`);
	const { memory } = run;
	const step = Math.max(1, Math.floor(memory.length / 10));
	const timeline = memory.filter((_, k) => k % step === 0 || k === memory.length - 1);
	console.log(`workerd RSS MiB:   ${timeline.map(([t, rss]) => `${t.toFixed(0)}s:${rss.toFixed(0)}`).join(" ")}`);
	console.log(`isolate heap MiB:  ${timeline.map(([t, , heap]) => `${t.toFixed(0)}s:${mib(heap)}`).join(" ")}`);
	const first = memory[0] as [number, number, number];
	const last = memory.at(-1) as [number, number, number];
	console.log(
		`workerd RSS:       start ${mib(first[1])}, end ${mib(last[1])}, peak ${mib(Math.max(...memory.map(([, r]) => r)))} MiB (${(((last[1] - first[1]) * 1024) / Math.max(1, done / 1000)).toFixed(0)} KiB per 1000 requests)`,
	);
	const { warm, end } = run.liveHeap;
	console.log(
		`isolate live heap: ${mib(warm)} MiB after warm-up, ${mib(end)} MiB at the end (after a full collection): growth ${mib(end - warm)} MiB (limit ${run.maxHeapGrowthMib})`,
	);
	if (!(end - warm <= run.maxHeapGrowthMib)) verdict.fail(`the isolate's live heap grew by ${mib(end - warm)} MiB`);
	// Every refusal is logged once (wrangler dev prints the Worker's console lines).
	if (run.refusalLines !== run.refused)
		verdict.fail(`${run.refused} refusals but ${run.refusalLines} cors-refused log lines`);
	for (const change of run.changes)
		if (Number.isNaN(change.effective))
			verdict.fail(`the change to ${change.to} at ${change.at.toFixed(1)} s never took effect`);
	if (run.changes.length < 2)
		verdict.fail("the run ended before both allowlist changes were written: use a longer --duration");

	console.log(`errors:     ${verdict.count} (non-policy failures)`);
	for (const message of verdict.messages) console.log(`  - ${message}`);
}
