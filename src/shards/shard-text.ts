// A shard's value in KV: one canonical key per line, sorted, so shards diff and compress well.
export function encodeShard(keys: readonly string[]): string {
	return [...keys].sort().join("\n");
}

export function decodeShard(text: string): Set<string> {
	return new Set(text === "" ? [] : text.split("\n"));
}
