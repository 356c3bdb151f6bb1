// The bench's entries (bench/allowlists.ts) as a sharded allowlist, published the way the
// command line publishes one (docs/LARGE-ALLOWLISTS.md): every shard and the membership
// filter under a new version first, then the `allowlist` document naming it, the switch.
import { lookupKeys, shardOf } from "../src/shards/layout.ts";
import { planShards, type ShardPlan, shardWrites } from "../src/shards/plan.ts";
import { benchOrigins, benchProbes, type Probes, SETTINGS } from "./allowlists.ts";

export interface ShardedAllowlist extends Probes {
	size: number;
	plan: ShardPlan;
	/** What publishing writes before the switch: the shards and the filter. */
	writes: Array<{ key: string; value: string | Uint8Array }>;
}

/** What `publishSharded` needs of a KV namespace (Miniflare's, from Node). */
interface KvWriter {
	put(key: string, value: string | ArrayBufferView): Promise<unknown>;
}

const VERSION = "bench-1";
const SEED = 2026;
/** Concurrent KV writes while publishing. */
const PARALLEL_PUTS = 8;

export function shardedAllowlist(size: number): ShardedAllowlist {
	const origins = benchOrigins(size);
	const plan = planShards(origins, VERSION, SEED);
	return { size, plan, writes: shardWrites(plan), ...benchProbes(origins) };
}

/** Writes the shards and the filter, then the document naming them (published now). */
export async function publishSharded(kv: KvWriter, list: ShardedAllowlist): Promise<void> {
	const pending = [...list.writes];
	const writer = async () => {
		for (let w = pending.pop(); w !== undefined; w = pending.pop()) await kv.put(w.key, w.value);
	};
	await Promise.all(Array.from({ length: PARALLEL_PUTS }, writer));
	const shards = { ...list.plan.manifest, published: new Date().toISOString() };
	await kv.put("allowlist", JSON.stringify({ ...SETTINGS, origins: [], shards }));
}

/**
 * `count` listed exact origins whose shards no probe reads (each in a different one), so
 * each one's first request must read its shard from KV.
 */
export function originsInUnreadShards(list: ShardedAllowlist, count: number): string[] {
	const { manifest } = list.plan;
	const read = new Set(
		[list.lateExact, list.lateWildcard, list.miss].flatMap((o) =>
			lookupKeys(o, manifest.wildcardDepths).map((k) => shardOf(k, manifest)),
		),
	);
	const picked: string[] = [];
	for (let i = 0; picked.length < count && i < list.size; i += 5) {
		const origin = `https://app.customer-${i}.com`;
		const shard = shardOf(origin, manifest);
		if (read.has(shard)) continue;
		read.add(shard);
		picked.push(origin);
	}
	if (picked.length < count) throw new Error(`fewer than ${count} unread shards in a list of ${list.size}`);
	return picked;
}

/**
 * Deletes the shards and the filter, keeping the document: from then on any shard read
 * fails closed (a listed origin is refused), so unchanged answers prove none was made.
 */
export async function deleteShards(
	kv: { delete(key: string): Promise<unknown> },
	list: ShardedAllowlist,
): Promise<void> {
	for (const { key } of list.writes) await kv.delete(key);
}
