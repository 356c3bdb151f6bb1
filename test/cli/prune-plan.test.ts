// When old shard versions may be removed: never while an isolate could still read them.
import { describe, expect, it } from "vitest";
import { PRUNE_AFTER_MS, prunePlan } from "../../src/cli/sharded-store.ts";

const keysOf = (version: string) => [`allowlist/${version}/filter`, `allowlist/${version}/shard/0`];
const STORED = ["allowlist", ...keysOf("v1"), ...keysOf("v2"), ...keysOf("v3")];
const T = Date.parse("2026-11-26T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("prunePlan", () => {
	it.each([
		[
			"the current version is never removed; others wait 5 minutes after the switch",
			{ current: "v3", switchedAt: T },
			T + PRUNE_AFTER_MS - 1,
			[],
		],
		[
			"5 minutes after the switch, every version but the current one goes",
			{ current: "v3", switchedAt: T },
			T + PRUNE_AFTER_MS,
			["v1", "v2"],
		],
		[
			"right after a switch, versions older than the previous one go if the previous switch is 5 minutes old",
			{ current: "v3", switchedAt: T + PRUNE_AFTER_MS, previous: { version: "v2", published: iso(T) } },
			T + PRUNE_AFTER_MS,
			["v1"],
		],
		[
			"stored whole now: when the last version was replaced is unknown, so nothing goes",
			{},
			T + 10 * PRUNE_AFTER_MS,
			[],
		],
	])("%s", (_rule, switches, now, deleted) => {
		expect(prunePlan(STORED, switches, now).deleted.sort()).toEqual(deleted);
	});

	it("--force removes every version the allowlist does not name, with its keys", () => {
		const plan = prunePlan(STORED, { current: "v3" }, T, { force: true });
		expect(plan.deleted.sort()).toEqual(["v1", "v2"]);
		expect(plan.keys.sort()).toEqual([...keysOf("v1"), ...keysOf("v2")].sort());
	});

	it("keys that are not a version's are left alone", () => {
		expect(prunePlan(["allowlist", "allowlist/", "other/v1/shard/0"], {}, T, { force: true }).keys).toEqual([]);
	});

	it("history entries are no version: never removed, --force included", () => {
		const history = ["allowlist/history/8233159199999-3f9a2c", "allowlist/history/8233159200000-0b1d4e"];
		const plan = prunePlan([...STORED, ...history], { current: "v3" }, T + PRUNE_AFTER_MS, { force: true });
		expect(plan.deleted.sort()).toEqual(["v1", "v2"]);
		expect(plan.keys.filter((k) => k.includes("history"))).toEqual([]);
	});

	it.each([
		["5 minutes after the switch", false],
		["--force", true],
	])("%s: a version a history entry names is kept, saying which entry restores it", (_when, force) => {
		const history = new Map([["v1", "3f9a2c"]]);
		const plan = prunePlan(STORED, { current: "v3", switchedAt: T }, T + PRUNE_AFTER_MS, { force, history });
		expect(plan.deleted).toEqual(["v2"]);
		expect(plan.keys.sort()).toEqual(keysOf("v2"));
		expect(plan.kept).toEqual([
			{ version: "v1", why: 'history entry 3f9a2c names it ("cors-gateway rollback 3f9a2c" restores it)' },
		]);
	});
});
