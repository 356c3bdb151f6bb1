// Splits a large set of origin entries into the versioned shards and membership filter
// of docs/LARGE-ALLOWLISTS.md. Pure: the command line writes what this returns to KV.

import { MAX_SHARDS, type ShardManifest } from "../policy/index.ts";
import { BloomFilter } from "./bloom.ts";
import { filterKey, KEYS_PER_SHARD, shardKey, shardOf, wildcardDepth } from "./layout.ts";
import { encodeShard } from "./shard-text.ts";

/** False-positive rate the filter is sized for: a random unknown origin reads KV 1 time in 1,000. */
const FILTER_FALSE_POSITIVE_RATE = 0.001;

export interface ShardPlan {
	/** The manifest but for `published`, which the publisher sets when it switches. */
	manifest: Omit<ShardManifest, "published">;
	/** Shard texts, indexed by shard number. */
	shards: string[];
	filter: BloomFilter;
}

/**
 * `keys`: canonical exact origins and wildcard entries (`https://*.example.com`), as the
 * validator normalizes them; "*" and "null" stay in the document and never reach a shard.
 */
export function planShards(keys: readonly string[], version: string, seed: number): ShardPlan {
	const unique = [...new Set(keys)];
	let count = 1;
	while (count * KEYS_PER_SHARD < unique.length && count < MAX_SHARDS) count *= 2;
	const manifestBase = { count, seed: seed >>> 0 };
	const buckets: string[][] = Array.from({ length: count }, () => []);
	const filter = BloomFilter.forCapacity(unique.length, FILTER_FALSE_POSITIVE_RATE, manifestBase.seed);
	const depths = new Set<number>();
	for (const key of unique) {
		if (key.includes("://*.")) depths.add(wildcardDepth(key));
		(buckets[shardOf(key, manifestBase)] as string[]).push(key);
		filter.add(key);
	}
	return {
		manifest: {
			version,
			count,
			entries: unique.length,
			seed: manifestBase.seed,
			wildcardDepths: [...depths].sort((a, b) => a - b),
		},
		shards: buckets.map(encodeShard),
		filter,
	};
}

/**
 * The KV writes that publish a plan's key set, to be done before the document naming it
 * is written: its keys are new, so no reader sees them until the switch.
 */
export function shardWrites(plan: ShardPlan): Array<{ key: string; value: string | Uint8Array }> {
	const { version } = plan.manifest;
	return [
		...plan.shards.map((value, index) => ({ key: shardKey(version, index), value })),
		{ key: filterKey(version), value: plan.filter.toBytes() },
	];
}
