import { describe, expect, it } from "vitest";
import { BloomFilter } from "../../src/shards/bloom.ts";

const key = (i: number) => `https://tenant-${i}.platform.example`;

describe("BloomFilter", () => {
	const n = 100_000;
	const filter = BloomFilter.forCapacity(n, 0.001, 42);
	for (let i = 0; i < n; i++) filter.add(key(i));

	it("never forgets a key it holds (no false negatives)", () => {
		for (let i = 0; i < n; i++) if (!filter.has(key(i))) expect.fail(`lost ${key(i)}`);
	});

	it("keeps false positives near the rate it was sized for", () => {
		let positives = 0;
		const trials = 200_000;
		for (let i = 0; i < trials; i++) if (filter.has(key(n + i))) positives++;
		// Sized for 0.1%: 200 expected; allow a wide band, but an order of magnitude off fails.
		expect(positives / trials).toBeLessThan(0.002);
	});

	it("is sized by the standard optimum: about 14.4 bits and 10 hashes per key at 0.1%", () => {
		expect(filter.bits / n).toBeCloseTo(14.4, 0);
		expect(filter.hashes).toBe(10);
	});

	it("round-trips through its binary form, bit for bit", () => {
		const bytes = filter.toBytes();
		expect(bytes.byteLength).toBe(filter.byteLength);
		const copy = BloomFilter.fromBytes(bytes.slice().buffer);
		expect(copy).toBeDefined();
		expect(copy?.toBytes()).toEqual(bytes);
		for (let i = 0; i < 1000; i++) expect(copy?.has(key(i))).toBe(true);
	});

	it.each([
		["an empty buffer", new ArrayBuffer(0)],
		["a wrong magic number", new Uint8Array(16 + 8).fill(1).buffer],
		["a truncated body", filter.toBytes().slice(0, 100).buffer],
	])("rejects %s", (_name, buffer) => {
		expect(BloomFilter.fromBytes(buffer)).toBeUndefined();
	});

	it("a different seed gives different bits (a filter is tied to its manifest)", () => {
		const other = BloomFilter.forCapacity(10, 0.01, 43);
		const same = BloomFilter.forCapacity(10, 0.01, 42);
		other.add(key(1));
		same.add(key(1));
		expect(other.toBytes().slice(16)).not.toEqual(same.toBytes().slice(16));
	});
});
