// The `shards` field of the allowlist document, judged by the same validator as the rest.
import { describe, expect, it } from "vitest";
import { validateAllowlist } from "../../src/policy/document.ts";

const MANIFEST = {
	version: "20261126T013000Z-3f9a",
	count: 256,
	entries: 1_000_000,
	seed: 7,
	wildcardDepths: [2, 3],
	published: "2026-11-26T01:30:04.123Z",
};

function problems(shards: unknown) {
	const result = validateAllowlist({ origins: [], shards });
	return result.ok ? [] : result.problems.map((p) => `${p.path} ${p.rule}`);
}

describe("the shards manifest", () => {
	it("a well-formed manifest is kept in the normalized document, with no empty-origins warning", () => {
		const result = validateAllowlist({ origins: [], shards: MANIFEST });
		expect(result.ok).toBe(true);
		if (result.ok) {
			expect(result.document.shards).toEqual(MANIFEST);
			expect(result.warnings).toEqual([]);
		}
	});

	it.each([
		["not an object", [], "shards shards-not-object"],
		["an unknown field", { ...MANIFEST, extra: 1 }, "shards.extra shards-invalid"],
		["a version with a slash", { ...MANIFEST, version: "a/b" }, "shards.version shards-invalid"],
		["an empty version", { ...MANIFEST, version: "" }, "shards.version shards-invalid"],
		["a count that is not a power of two", { ...MANIFEST, count: 300 }, "shards.count shards-invalid"],
		["a count of zero", { ...MANIFEST, count: 0 }, "shards.count shards-invalid"],
		["too many shards", { ...MANIFEST, count: 131_072 }, "shards.count shards-invalid"],
		["negative entries", { ...MANIFEST, entries: -1 }, "shards.entries shards-invalid"],
		["a seed past 32 bits", { ...MANIFEST, seed: 2 ** 32 }, "shards.seed shards-invalid"],
		["depths out of order", { ...MANIFEST, wildcardDepths: [3, 2] }, "shards.wildcardDepths shards-invalid"],
		["a depth of zero", { ...MANIFEST, wildcardDepths: [0] }, "shards.wildcardDepths shards-invalid"],
		["a missing field", { ...MANIFEST, wildcardDepths: undefined }, "shards.wildcardDepths shards-invalid"],
		[
			"a publication time that is not UTC ISO 8601",
			{ ...MANIFEST, published: "26/11/2026" },
			"shards.published shards-invalid",
		],
		[
			"an impossible publication time",
			{ ...MANIFEST, published: "2026-13-40T00:00:00Z" },
			"shards.published shards-invalid",
		],
	])("rejects %s", (_rule, shards, expected) => {
		expect(problems(shards)).toContain(expected);
	});
});
