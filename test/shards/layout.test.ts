import { describe, expect, it } from "vitest";
import { filterKey, lookupKeys, shardKey, shardOf, wildcardDepth } from "../../src/shards/layout.ts";

describe("lookupKeys: the keys that could admit an origin", () => {
	it.each([
		[
			"an exact origin with no wildcard depths is its only key",
			"https://a.b.example.com",
			[],
			["https://a.b.example.com"],
		],
		[
			"each suffix at a listed depth, nearest first",
			"https://a.b.example.com",
			[2, 3],
			["https://a.b.example.com", "https://*.b.example.com", "https://*.example.com"],
		],
		[
			"depths not listed are skipped",
			"https://a.b.example.com",
			[2],
			["https://a.b.example.com", "https://*.example.com"],
		],
		["the apex is not its own wildcard", "https://example.com", [2], ["https://example.com"]],
		[
			"the port stays part of the key",
			"http://a.example.com:8080",
			[2],
			["http://a.example.com:8080", "http://*.example.com:8080"],
		],
		["IPv6 literals have no labels", "http://[::1]:8080", [1, 2], ["http://[::1]:8080"]],
		["the scheme stays part of the key", "http://a.example.com", [2], ["http://a.example.com", "http://*.example.com"]],
	])("%s", (_rule, origin, depths, expected) => {
		expect(lookupKeys(origin, depths)).toEqual(expected);
	});
});

describe("wildcardDepth", () => {
	it.each([
		["https://*.example.com", 2],
		["https://*.b.example.com:8443", 3],
		["http://*.localhost", 1],
	])("%s has %d labels after the wildcard", (entry, depth) => {
		expect(wildcardDepth(entry)).toBe(depth);
	});
});

describe("key names and placement", () => {
	it("names every key of a version under allowlist/<version>/", () => {
		expect(shardKey("v1", 7)).toBe("allowlist/v1/shard/7");
		expect(filterKey("v1")).toBe("allowlist/v1/filter");
	});

	it("places one parent domain's million tenants evenly over 256 shards", () => {
		const manifest = { count: 256, seed: 12345 };
		const counts = new Uint32Array(256);
		for (let i = 0; i < 1_000_000; i++) {
			const s = shardOf(`https://tenant-${i}.platform.example`, manifest);
			counts[s] = (counts[s] ?? 0) + 1;
		}
		// 3,906 expected per shard; 5 sigma is about ±312.
		expect(Math.min(...counts)).toBeGreaterThan(3594);
		expect(Math.max(...counts)).toBeLessThan(4218);
	});

	it("changes placement with the seed", () => {
		const keys = Array.from({ length: 100 }, (_, i) => `https://t${i}.example`);
		const a = keys.map((k) => shardOf(k, { count: 256, seed: 1 }));
		const b = keys.map((k) => shardOf(k, { count: 256, seed: 2 }));
		expect(a).not.toEqual(b);
	});
});
