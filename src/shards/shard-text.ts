// A shard's value in KV: one canonical key per line, sorted, so shards diff and compress well.
import { canonicalEntryKind, isShardable, type ShardManifest } from "../policy/index.ts";
import { shardOf } from "./layout.ts";

export function encodeShard(keys: readonly string[]): string {
	return [...keys].sort().join("\n");
}

export function decodeShard(text: string): Set<string> {
	return new Set(text === "" ? [] : text.split("\n"));
}

/**
 * Why shard `index` cannot be trusted, or undefined when it can: every line must be a
 * canonical exact origin or wildcard entry, placed where lookups look for it.
 */
export function shardFault(
	keys: ReadonlySet<string>,
	index: number,
	manifest: Pick<ShardManifest, "count" | "seed">,
): string | undefined {
	for (const line of keys) {
		// The one-pass recognizer first: a fresh isolate reads a shard before its first answer.
		if (canonicalEntryKind(line) === undefined && !isShardable(line))
			return `${JSON.stringify(line.slice(0, 100))} is not a canonical origin or wildcard entry`;
		if (shardOf(line, manifest) !== index) return `${JSON.stringify(line)} belongs in another shard`;
	}
	return undefined;
}
