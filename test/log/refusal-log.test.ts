// The refusal log's bounds, one row per rule: a flood of one refused request writes a few
// full lines and one summary per minute, never a line per request.
import { describe, expect, it } from "vitest";
import { RefusalLog } from "../../src/worker/log.ts";

const MINUTE = 60_000;

function harness(perKey = 3) {
	const clock = { now: 1_000_000 };
	const lines: Record<string, unknown>[] = [];
	const log = new RefusalLog((e) => lines.push(e), { perKey, now: () => clock.now });
	/** `n` refusals of one pair; how many were to be logged in full. */
	const refuse = (n: number, reason = "origin-not-allowed", origin: string | null = "https://evil.example") => {
		let full = 0;
		for (let i = 0; i < n; i++) if (log.admit(reason, origin)) full++;
		return full;
	};
	const summaries = () => lines.filter((l) => l.event === "cors-refused-summary");
	return { clock, lines, log, refuse, summaries };
}

describe("refusals logged in full", () => {
	it.each([
		{ rule: "the first perKey refusals of a (reason, origin) pair", refusals: 2, full: 2 },
		{ rule: "no more than perKey of one pair per window", refusals: 1_000, full: 3 },
	])("$rule", ({ refusals, full }) => {
		expect(harness().refuse(refusals)).toBe(full);
	});

	it("each pair has its own budget: another origin, another reason", () => {
		const h = harness();
		expect(h.refuse(10)).toBe(3);
		expect(h.refuse(10, "origin-not-allowed", "https://other.example")).toBe(3);
		expect(h.refuse(10, "method-not-allowed")).toBe(3);
		expect(h.refuse(10, "origin-empty", null)).toBe(3);
	});

	it("at most 20 × perKey full lines per window, all pairs together", () => {
		const h = harness(2);
		let full = 0;
		for (let i = 0; i < 100; i++) full += h.refuse(2, "origin-not-allowed", `https://o${i}.example`);
		expect(full).toBe(40);
	});

	it("a limit of 0 logs no refusal in full, only summaries", () => {
		const h = harness(0);
		expect(h.refuse(5)).toBe(0);
		h.clock.now += MINUTE;
		h.log.flushIfDue();
		expect(h.summaries()).toEqual([expect.objectContaining({ refused: 5, logged: 0, unlogged: 5 })]);
	});
});

describe("the summary of a window", () => {
	it("counts a window's refusals once it has ended, then the budget starts again", () => {
		const h = harness();
		h.refuse(50);
		h.refuse(5, "method-not-allowed");
		expect(h.summaries()).toEqual([]);
		h.clock.now += MINUTE - 1;
		h.log.flushIfDue();
		expect(h.summaries()).toEqual([]);
		h.clock.now += 1;
		expect(h.refuse(5)).toBe(3);
		expect(h.summaries()).toEqual([
			{
				event: "cors-refused-summary",
				since: new Date(1_000_000).toISOString(),
				seconds: 60,
				refused: 55,
				logged: 6,
				unlogged: 49,
				top: [
					{ reason: "origin-not-allowed", origin: "https://evil.example", refused: 50 },
					{ reason: "method-not-allowed", origin: "https://evil.example", refused: 5 },
				],
			},
		]);
	});

	it("is written by the first request after the window, refused or not (flushIfDue)", () => {
		const h = harness();
		h.refuse(4);
		h.clock.now += MINUTE;
		h.log.flushIfDue();
		expect(h.summaries()).toEqual([expect.objectContaining({ refused: 4, unlogged: 1 })]);
		h.clock.now += MINUTE;
		h.log.flushIfDue();
		expect(h.summaries()).toHaveLength(1);
	});

	it("is not written when every refusal of the window was logged in full", () => {
		const h = harness();
		h.refuse(3);
		h.clock.now += MINUTE;
		h.log.flushIfDue();
		h.refuse(1);
		expect(h.summaries()).toEqual([]);
	});

	it("names the 10 most refused pairs, and counts refusals of pairs past the 1,000 it tracks", () => {
		const h = harness(0);
		for (let i = 0; i < 1_005; i++) h.refuse(i === 7 ? 9 : 1, "origin-not-allowed", `https://o${i}.example`);
		h.clock.now += MINUTE;
		h.log.flushIfDue();
		const [summary] = h.summaries();
		expect(summary).toMatchObject({ refused: 1_013, otherPairs: 5 });
		const top = summary?.top as { origin: string; refused: number }[];
		expect(top).toHaveLength(10);
		expect(top[0]).toEqual({ reason: "origin-not-allowed", origin: "https://o7.example", refused: 9 });
	});
});

describe("the same bounds for another event (report-only mode's cors-report lines)", () => {
	it("names its summary after the event and counts under its own word", () => {
		const clock = { now: 1_000_000 };
		const lines: Record<string, unknown>[] = [];
		const log = new RefusalLog((e) => lines.push(e), {
			perKey: 2,
			now: () => clock.now,
			event: "cors-report",
			counted: "reported",
		});
		let full = 0;
		for (let i = 0; i < 5; i++) if (log.admit("allowlist-refuses-origin", "https://x.example")) full++;
		expect(full).toBe(2);
		clock.now += MINUTE;
		log.flushIfDue();
		expect(lines).toEqual([
			{
				event: "cors-report-summary",
				since: new Date(1_000_000).toISOString(),
				seconds: 60,
				reported: 5,
				logged: 2,
				unlogged: 3,
				top: [{ reason: "allowlist-refuses-origin", origin: "https://x.example", reported: 5 }],
			},
		]);
	});
});
