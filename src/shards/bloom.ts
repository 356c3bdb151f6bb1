// A Bloom filter over the keys of a sharded allowlist. It lets the Worker answer "surely
// not listed" from memory, so a flood of unknown origins cannot turn into KV reads; only
// the rare false positive costs a shard read (which then refuses, as the key is absent).
import { murmur3 } from "./hash.ts";

const MAGIC = 0x46424743; // "CGBF", little-endian
const FORMAT = 1;
const HEADER_BYTES = 16;
/** Most bits a filter may have: 2^31, so that indices stay in a positive int32. */
const MAX_BITS = 2 ** 31;

export class BloomFilter {
	readonly bits: number;
	readonly hashes: number;
	readonly seed: number;
	private readonly words: Uint32Array;

	private constructor(bits: number, hashes: number, seed: number, words: Uint32Array) {
		this.bits = bits;
		this.hashes = hashes;
		this.seed = seed;
		this.words = words;
	}

	/** The smallest filter that holds `capacity` keys at `falsePositiveRate` (standard optimum). */
	static forCapacity(capacity: number, falsePositiveRate: number, seed: number): BloomFilter {
		const n = Math.max(1, capacity);
		const bits = Math.min(MAX_BITS, Math.max(64, Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2)));
		const hashes = Math.max(1, Math.min(30, Math.round((bits / n) * Math.LN2)));
		const rounded = Math.ceil(bits / 32) * 32;
		return new BloomFilter(rounded, hashes, seed >>> 0, new Uint32Array(rounded / 32));
	}

	/** Reads the binary form written by `toBytes`; undefined when it is not one. */
	static fromBytes(buffer: ArrayBuffer): BloomFilter | undefined {
		if (buffer.byteLength < HEADER_BYTES) return undefined;
		const head = new DataView(buffer, 0, HEADER_BYTES);
		if (head.getUint32(0, true) !== MAGIC || head.getUint8(4) !== FORMAT) return undefined;
		const hashes = head.getUint8(5);
		const bits = head.getUint32(8, true);
		const seed = head.getUint32(12, true);
		if (hashes < 1 || hashes > 30 || bits === 0 || bits % 32 !== 0) return undefined;
		if (buffer.byteLength !== HEADER_BYTES + bits / 8) return undefined;
		const words = new Uint32Array(bits / 32);
		const body = new DataView(buffer, HEADER_BYTES);
		for (let i = 0; i < words.length; i++) words[i] = body.getUint32(i * 4, true);
		return new BloomFilter(bits, hashes, seed, words);
	}

	toBytes(): Uint8Array {
		const out = new Uint8Array(HEADER_BYTES + this.bits / 8);
		const head = new DataView(out.buffer, 0, HEADER_BYTES);
		head.setUint32(0, MAGIC, true);
		head.setUint8(4, FORMAT);
		head.setUint8(5, this.hashes);
		head.setUint32(8, this.bits, true);
		head.setUint32(12, this.seed, true);
		// Little-endian words, whatever the host order, so Node and workerd read the same bits.
		const body = new DataView(out.buffer, HEADER_BYTES);
		for (let i = 0; i < this.words.length; i++) body.setUint32(i * 4, this.words[i] as number, true);
		return out;
	}

	add(key: string): void {
		// Kirsch–Mitzenmacher: k indices from two hashes, as good as k independent ones.
		const h1 = murmur3(key, this.seed);
		const h2 = murmur3(key, h1) | 1;
		for (let i = 0; i < this.hashes; i++) {
			const index = ((h1 + Math.imul(i, h2)) >>> 0) % this.bits;
			this.words[index >>> 5] = (this.words[index >>> 5] as number) | (1 << (index & 31));
		}
	}

	has(key: string): boolean {
		const h1 = murmur3(key, this.seed);
		const h2 = murmur3(key, h1) | 1;
		for (let i = 0; i < this.hashes; i++) {
			const index = ((h1 + Math.imul(i, h2)) >>> 0) % this.bits;
			if (((this.words[index >>> 5] as number) & (1 << (index & 31))) === 0) return false;
		}
		return true;
	}

	/** Size in bytes of the binary form. */
	get byteLength(): number {
		return HEADER_BYTES + this.bits / 8;
	}
}
