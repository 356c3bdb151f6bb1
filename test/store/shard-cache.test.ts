import { describe, expect, it } from "vitest";
import { NegativeCache, ShardCache } from "../../src/worker/store/shard-cache.ts";

const shard = (n: number) => new Set(Array.from({ length: n }, (_, i) => `https://t${i}.example`));

describe("ShardCache", () => {
	it("keeps within its budget by dropping the least recently used shard", () => {
		// Each shard: 1000 characters + 10 entries × 24 = 1240 bytes; three fit in 4000.
		const cache = new ShardCache(4000);
		for (const key of ["a", "b", "c"]) cache.put(key, shard(10), 1000);
		expect(cache.usage).toEqual({ bytes: 3720, shards: 3 });
		cache.get("a"); // now b is the least recently used
		cache.put("d", shard(10), 1000);
		expect(cache.get("b")).toBeUndefined();
		expect(cache.get("a")).toBeDefined();
		expect(cache.usage).toEqual({ bytes: 3720, shards: 3 });
	});

	it("always holds the newest shard, even one larger than the budget", () => {
		const cache = new ShardCache(1);
		cache.put("a", shard(10), 1000);
		cache.put("b", shard(10), 1000);
		expect(cache.usage.shards).toBe(1);
		expect(cache.get("b")).toBeDefined();
	});

	it("replacing a key does not count it twice", () => {
		const cache = new ShardCache(10_000);
		cache.put("a", shard(10), 1000);
		cache.put("a", shard(10), 1000);
		expect(cache.usage).toEqual({ bytes: 1240, shards: 1 });
	});
});

describe("NegativeCache", () => {
	it("forgets the oldest key past its limit", () => {
		const cache = new NegativeCache(2);
		cache.add("a");
		cache.add("b");
		cache.add("c");
		expect([cache.has("a"), cache.has("b"), cache.has("c"), cache.size]).toEqual([false, true, true, 2]);
	});
});
