// The soak run's load: N concurrent clients sending the request mix of plan.ts on fetch's
// keep-alive connections for a bounded time, the allowlist switched A → B → A mid-run,
// and memory sampled every second. Each answer is judged as it comes (check.ts).
import diagnostics from "node:diagnostics_channel";
import { setTimeout as sleep } from "node:timers/promises";
import { type Change, corsOf, judge, type SoakRun, type Verdict } from "./check.ts";
import { type Expected, POLICY_A, POLICY_B, type PolicyName, SHAPES, type Shape, SOAK_PATH } from "./plan.ts";

export interface DriveOptions {
	gatewayUrl: string;
	concurrency: number;
	durationMs: number;
	maxRequests: number;
	/** What each shape of SHAPES must get, under A and under B (plan.ts). */
	expectations: Record<PolicyName, Expected>[];
	verdict: Verdict;
	/** Stores an allowlist document where the gateway reads it. */
	putAllowlist(doc: object): Promise<void>;
	/** workerd's RSS and the isolate's heap now, in MiB. */
	memory(): Promise<[number, number]>;
	/** The isolate's live heap after a full collection, in MiB. */
	liveHeap(): Promise<number>;
}

export type Driven = Omit<SoakRun, "upstreamReceived" | "refusalLines" | "liveHeap" | "maxHeapGrowthMib"> & {
	/** The live heap once warmed up (at 20 % of the run), measured under load. */
	warmLiveHeap: number;
};

/**
 * Runs for `durationMs` (and at most `maxRequests` requests); past it only while an
 * allowlist change is still to be seen, and at most 60 s.
 */
export async function drive(options: DriveOptions): Promise<Driven> {
	const { gatewayUrl, durationMs, maxRequests, verdict } = options;
	const started = performance.now();
	const deadline = started + durationMs;
	const hardStop = deadline + 60_000;
	const latencies = new Float64Array(maxRequests);
	let sent = 0;
	let done = 0;
	let forwarded = 0;
	let refused = 0;
	let connectionErrors = 0;
	let timeouts = 0;
	// Connections fetch opened (Node's fetch keeps them alive and reuses them).
	let connectionsOpened = 0;
	diagnostics.subscribe("undici:client:connected", () => {
		connectionsOpened++;
	});
	const seen = { A: 0, B: 0, both: 0 };
	const changes: Change[] = [];
	const observe = (only: PolicyName) => {
		const change = changes.at(-1);
		if (change?.to === only && Number.isNaN(change.effective)) change.effective = (performance.now() - started) / 1000;
	};
	let changesDone = false;

	async function client(id: number): Promise<void> {
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
			const shape = SHAPES[index] as Shape;
			const expect = options.expectations[index] as Record<PolicyName, Expected>;
			const t0 = performance.now();
			try {
				const res = await fetch(`${gatewayUrl}${SOAK_PATH}?c=${id}`, {
					method: shape.method,
					headers: shape.headers,
					...(shape.late ? { body: lateBody(shape.body ?? ""), duplex: "half" } : { body: shape.body }),
					signal: AbortSignal.timeout(15_000),
				});
				await res.arrayBuffer();
				latencies[done++] = performance.now() - t0;
				const cors = corsOf(res.headers);
				const match = judge(expect, res.status, cors);
				if (match === undefined)
					verdict.fail(
						`${shape.name}: ${res.status} ${cors} matches neither A (${expect.A.status} ${expect.A.cors}) nor B (${expect.B.status} ${expect.B.cors})`,
					);
				else {
					seen[match]++;
					if (match !== "both") observe(match);
				}
				if (res.status === 403) refused++;
				if (res.status === 200) forwarded++;
			} catch (error) {
				latencies[done++] = performance.now() - t0;
				// A timeout, or a connection error: a reset, a write to a closed socket, a
				// connection closed before the answer (fetch's cause says which).
				if (error instanceof Error && error.name === "TimeoutError") timeouts++;
				else connectionErrors++;
				const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
				verdict.fail(`${shape.name}: ${error instanceof Error ? error.message : String(error)}${cause}`);
			}
		}
	}

	// Memory every second: workerd's RSS, and the Worker isolate's JavaScript heap.
	const memory: [number, number, number][] = [];
	const sample = async () => {
		const t = (performance.now() - started) / 1000;
		memory.push([t, ...(await options.memory())]);
	};
	const sampler = setInterval(() => {
		sample().catch((error) => verdict.fail(`memory sample: ${error instanceof Error ? error.message : String(error)}`));
	}, 1000);
	await sample();

	// Allowlist changes mid-run: A → B at 15 % of the run, then back to A once B is seen in
	// effect (`wrangler kv key put` itself takes seconds on a busy machine).
	const changer = (async () => {
		const wait = started + durationMs * 0.15 - performance.now();
		if (wait > 0) await sleep(wait);
		for (const [doc, to] of [
			[POLICY_B, "B"],
			[POLICY_A, "A"],
		] as const) {
			if (changes.length > 0) {
				while (Number.isNaN(changes.at(-1)?.effective) && performance.now() < hardStop) await sleep(100);
				await sleep(1000);
			}
			if (performance.now() >= hardStop) break;
			await options.putAllowlist(doc);
			changes.push({ at: (performance.now() - started) / 1000, to, effective: Number.NaN });
		}
		changesDone = true;
	})();
	// The live heap once warmed up, measured under load.
	const warmLive = (async () => {
		await sleep(durationMs * 0.2);
		return options.liveHeap();
	})();

	await Promise.all(Array.from({ length: options.concurrency }, (_, id) => client(id)));
	const elapsed = (performance.now() - started) / 1000;
	await changer;
	clearInterval(sampler);
	await sample();
	return {
		concurrency: options.concurrency,
		elapsed,
		latencies: latencies.slice(0, done),
		seen,
		changes,
		connectionsOpened,
		connectionErrors,
		timeouts,
		refused,
		forwarded,
		memory,
		warmLiveHeap: await warmLive,
	};
}

/** `text` as a stream whose one chunk comes a moment after the request's headers went out. */
function lateBody(text: string): ReadableStream<Uint8Array> {
	return new ReadableStream({
		async pull(controller) {
			await new Promise((resolve) => setTimeout(resolve, 2));
			controller.enqueue(new TextEncoder().encode(text));
			controller.close();
		},
	});
}
