import { describe, expect, it } from "vitest";
import { lookupKeys, shardOf } from "../../src/shards/layout.ts";
import { planShards } from "../../src/shards/plan.ts";
import { decodeShard } from "../../src/shards/shard-text.ts";

const tenants = (n: number) => Array.from({ length: n }, (_, i) => `https://tenant-${i}.platform.example`);

describe("planShards", () => {
	it("puts every key in exactly the shard that lookups will read", () => {
		const keys = [...tenants(20_000), "https://*.customers.example", "http://*.a.b.dev.example:8080"];
		const plan = planShards(keys, "v1", 99);
		const seen = new Set<string>();
		plan.shards.forEach((text, index) => {
			for (const key of decodeShard(text)) {
				expect(shardOf(key, plan.manifest)).toBe(index);
				seen.add(key);
			}
		});
		expect(seen).toEqual(new Set(keys));
		expect(plan.manifest.entries).toBe(keys.length);
	});

	it("sizes the shard count as the smallest power of two with at most 1,024 keys a shard on average", () => {
		expect(planShards(tenants(10), "v", 1).manifest.count).toBe(1);
		expect(planShards(tenants(1024), "v", 1).manifest.count).toBe(1);
		expect(planShards(tenants(1025), "v", 1).manifest.count).toBe(2);
		expect(planShards(tenants(20_000), "v", 1).manifest.count).toBe(32);
	});

	it("records the label counts of wildcard suffixes, so lookups try only those", () => {
		const plan = planShards(
			["https://*.customers.example", "http://*.a.b.dev.example:8080", "https://x.example"],
			"v",
			1,
		);
		expect(plan.manifest.wildcardDepths).toEqual([2, 4]);
		const keys = lookupKeys("http://q.a.b.dev.example:8080", plan.manifest.wildcardDepths);
		expect(keys).toContain("http://*.a.b.dev.example:8080");
	});

	it("holds every key in the filter", () => {
		const keys = tenants(5000);
		const plan = planShards(keys, "v", 3);
		for (const key of keys) expect(plan.filter.has(key)).toBe(true);
	});

	it("drops duplicate keys", () => {
		const plan = planShards(["https://a.example", "https://a.example"], "v", 1);
		expect(plan.manifest.entries).toBe(1);
		expect(plan.shards).toEqual(["https://a.example"]);
	});
});
