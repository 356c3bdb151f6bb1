// The isolate's cache of decoded shards, bounded by a memory budget. Shard keys are
// versioned and never rewritten, so an entry is never stale: it only ages out (least
// recently used first) when newer shards need the room.

/** What the cache may hold, estimated from shard sizes: a fixed share of the isolate's 128 MB. */
export const SHARD_CACHE_BUDGET_BYTES = 24 * 1024 * 1024;
/**
 * Per-entry cost on top of the characters: V8's string header and the Set's table slot.
 * Measured in Node 24 for 38-character origins: 53 bytes an entry, characters included,
 * so characters + 24 errs on the safe side.
 */
const BYTES_PER_ENTRY = 24;

export class ShardCache {
	private readonly budget: number;
	private readonly shards = new Map<string, { keys: ReadonlySet<string>; bytes: number }>();
	private used = 0;

	constructor(budgetBytes = SHARD_CACHE_BUDGET_BYTES) {
		this.budget = budgetBytes;
	}

	get(key: string): ReadonlySet<string> | undefined {
		const hit = this.shards.get(key);
		if (hit === undefined) return undefined;
		// Re-insert to mark it most recently used (a Map iterates in insertion order).
		this.shards.delete(key);
		this.shards.set(key, hit);
		return hit.keys;
	}

	put(key: string, keys: ReadonlySet<string>, textLength: number): void {
		const bytes = textLength + keys.size * BYTES_PER_ENTRY;
		const old = this.shards.get(key);
		if (old !== undefined) {
			this.used -= old.bytes;
			this.shards.delete(key);
		}
		for (const [k, v] of this.shards) {
			if (this.used + bytes <= this.budget) break;
			this.shards.delete(k);
			this.used -= v.bytes;
		}
		this.shards.set(key, { keys, bytes });
		this.used += bytes;
	}

	/** Estimated bytes held, and shards held: for logs and tests. */
	get usage(): { bytes: number; shards: number } {
		return { bytes: this.used, shards: this.shards.size };
	}
}

/** A bounded set of keys known to be absent, oldest forgotten first. */
export class NegativeCache {
	private readonly limit: number;
	private readonly keys = new Set<string>();

	constructor(limit: number) {
		this.limit = limit;
	}

	has(key: string): boolean {
		return this.keys.has(key);
	}

	add(key: string): void {
		if (this.keys.size >= this.limit) {
			const oldest = this.keys.values().next().value;
			if (oldest !== undefined) this.keys.delete(oldest);
		}
		this.keys.add(key);
	}

	get size(): number {
		return this.keys.size;
	}
}
