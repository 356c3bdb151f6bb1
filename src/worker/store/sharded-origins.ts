// The origins of a sharded allowlist, as the policy sees them (an OriginSource). From
// memory: the membership filter rules out almost every unlisted origin, and cached shards
// answer the rest. Otherwise the request reads the shards it needs itself: workerd lets a
// request await only its own I/O, so reads are never shared while pending, only their
// decoded results once finished.

import type { OriginSource, ShardManifest } from "../../policy/index.ts";
import type { BloomFilter } from "../../shards/bloom.ts";
import { lookupKeys, shardKeys, shardOf } from "../../shards/layout.ts";
import { decodeShard, shardFault } from "../../shards/shard-text.ts";
import { errorMessage, type Logger } from "../log.ts";
import { NegativeCache, type ShardCache } from "./shard-cache.ts";

/** KV's `cacheTtl` for shard reads: shards never change under a key, so edge caches may keep them as long as KV allows. */
export const KV_EDGE_CACHE_TTL_SECONDS = 86_400;
/** Lookup keys remembered as absent (filter false positives), per allowlist version. */
const NEGATIVE_CACHE_SIZE = 10_000;

/** Reads one shard's text: null when the key is missing; rejects on a KV error or timeout. */
export type ShardReader = (key: string) => Promise<string | null>;

export class ShardedOrigins implements OriginSource {
	private readonly manifest: ShardManifest;
	private readonly filter: BloomFilter;
	private readonly cache: ShardCache;
	private readonly read: ShardReader;
	private readonly log: Logger;
	private readonly absent = new NegativeCache(NEGATIVE_CACHE_SIZE);
	/** The KV key of each shard, named once rather than on every lookup. */
	private readonly keys: readonly string[];

	constructor(manifest: ShardManifest, filter: BloomFilter, cache: ShardCache, read: ShardReader, log: Logger) {
		this.manifest = manifest;
		this.filter = filter;
		this.cache = cache;
		this.read = read;
		this.log = log;
		this.keys = shardKeys(manifest);
	}

	match(key: string): string | null | undefined {
		for (const candidate of lookupKeys(key, this.manifest.wildcardDepths)) {
			if (!this.filter.has(candidate) || this.absent.has(candidate)) continue;
			const shard = this.cache.get(this.keys[shardOf(candidate, this.manifest)] as string);
			if (shard === undefined) return undefined;
			if (shard.has(candidate)) return candidate;
		}
		return null;
	}

	async find(key: string): Promise<string | null | undefined> {
		const candidates = lookupKeys(key, this.manifest.wildcardDepths).filter(
			(c) => this.filter.has(c) && !this.absent.has(c),
		);
		const indexes = [...new Set(candidates.map((c) => shardOf(c, this.manifest)))];
		const read = await Promise.all(indexes.map((i) => this.shard(i)));
		const shards = new Map(indexes.map((index, i) => [index, read[i]]));
		let unreadable = false;
		for (const candidate of candidates) {
			const shard = shards.get(shardOf(candidate, this.manifest));
			if (shard === undefined) unreadable = true;
			else if (shard.has(candidate)) return candidate;
			else this.absent.add(candidate);
		}
		// An entry that could not be read might have admitted the origin: say so, never "absent".
		return unreadable ? undefined : null;
	}

	/** One shard, from the cache or KV; undefined when it cannot be read or is not valid. */
	private async shard(index: number): Promise<ReadonlySet<string> | undefined> {
		const key = this.keys[index] as string;
		const cached = this.cache.get(key);
		if (cached !== undefined) return cached;
		let text: string | null;
		try {
			text = await this.read(key);
		} catch (error) {
			this.log({
				event: "allowlist-shard-read-failed",
				key,
				reason: errorMessage(error),
			});
			return undefined;
		}
		if (text === null) {
			this.log({ event: "allowlist-shard-missing", key, effect: "origins it holds are refused until it is readable" });
			return undefined;
		}
		const keys = decodeShard(text);
		const fault = shardFault(keys, index, this.manifest);
		if (fault !== undefined) {
			this.log({ event: "allowlist-shard-invalid", key, reason: fault, effect: "origins it holds are refused" });
			return undefined;
		}
		this.cache.put(key, keys, text.length);
		return keys;
	}
}
