import { describe, expect, it } from "vitest";
import { murmur3 } from "../../src/shards/hash.ts";

describe("murmur3", () => {
	// Reference values of MurmurHash3_x86_32 (Appleby's SMHasher), covering every tail length.
	it.each([
		["", 0, 0],
		["", 1, 0x514e28b7],
		["", 0xffffffff, 0x81f16f39],
		["a", 0x9747b28c, 0x7fa09ea6],
		["aa", 0x9747b28c, 0x5d211726],
		["aaa", 0x9747b28c, 0x283e0130],
		["aaaa", 0x9747b28c, 0x5a97808a],
		["abc", 0, 0xb3dd93fa],
		["Hello, world!", 0x9747b28c, 0x24884cba],
		["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
	])("murmur3(%j, %d) matches the reference", (key, seed, expected) => {
		expect(murmur3(key, seed)).toBe(expected);
	});

	it("spreads keys that share a long prefix evenly over 256 buckets", () => {
		const counts = new Uint32Array(256);
		const n = 256_000;
		for (let i = 0; i < n; i++) {
			const b = murmur3(`https://tenant-${i}.platform.example`, 7) & 255;
			counts[b] = (counts[b] ?? 0) + 1;
		}
		// Expected 1000 per bucket; a binomial's 5-sigma band is about ±160.
		expect(Math.min(...counts)).toBeGreaterThan(840);
		expect(Math.max(...counts)).toBeLessThan(1160);
	});
});
