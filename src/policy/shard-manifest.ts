// The `shards` field of the allowlist document: the manifest naming the versioned shard
// set of a large allowlist (docs/LARGE-ALLOWLISTS.md), its shape and its validation; the
// layout it names (key names, which shard holds a key) is src/shards'. The command line
// writes it; a hand-edited one that does not fit is rejected like any other field, so a
// broken manifest can never stand for "no restriction".

/** The manifest inside the `allowlist` document: names one immutable, versioned key set. */
export interface ShardManifest {
	/** Names the key set: every key of this version starts with `allowlist/<version>/`. */
	version: string;
	/** Number of shards, a power of two. */
	count: number;
	/** Number of keys over all shards. */
	entries: number;
	/** Seeds the shard hash and the filter, so placements cannot be predicted across versions. */
	seed: number;
	/** Label counts of the wildcard suffixes in the shards (`*.example.com` has 2), ascending. */
	wildcardDepths: number[];
	/** When the document switched to this version (ISO 8601): old versions are removed relative to it. */
	published: string;
}

export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Most shards a manifest may name; with 8,192 keys per shard that is 67 million keys. */
export const MAX_SHARDS = 65_536;

type Report = (path: string, rule: string, message: string, fix?: string) => unknown;

const FIELDS = ["version", "count", "entries", "seed", "wildcardDepths", "published"];
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const HOW = "publish large allowlists with `cors-gateway push`, which writes this field";
/** A host has at most 127 labels, so a wildcard suffix at most 126. */
const MAX_DEPTH = 126;

export function checkShardManifest(value: unknown, problem: Report): ShardManifest | undefined {
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		problem("shards", "shards-not-object", "expected the shard manifest object", HOW);
		return undefined;
	}
	const m = value as Record<string, unknown>;
	let ok = true;
	const bad = (field: string, message: string) => {
		ok = false;
		problem(`shards.${field}`, "shards-invalid", message, HOW);
	};
	for (const key of Object.keys(m)) if (!FIELDS.includes(key)) bad(key, `unknown field "${key}"`);
	const { version, count, entries, seed, wildcardDepths, published } = m;
	if (typeof version !== "string" || !VERSION_PATTERN.test(version))
		bad("version", "expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
	if (!isInt(count) || count < 1 || count > MAX_SHARDS || (count & (count - 1)) !== 0)
		bad("count", `expected a power of two from 1 to ${MAX_SHARDS}`);
	if (!isInt(entries) || entries < 0) bad("entries", "expected a whole number of entries");
	if (!isInt(seed) || seed < 0 || seed > 0xffffffff) bad("seed", "expected a whole number from 0 to 4294967295");
	if (
		!Array.isArray(wildcardDepths) ||
		!wildcardDepths.every((d, i) => isInt(d) && d >= 1 && d <= MAX_DEPTH && (i === 0 || d > wildcardDepths[i - 1]))
	)
		bad("wildcardDepths", `expected ascending whole numbers from 1 to ${MAX_DEPTH}`);
	if (typeof published !== "string" || !ISO_TIME.test(published) || Number.isNaN(Date.parse(published)))
		bad("published", "expected a UTC time such as 2026-11-26T01:30:00.000Z");
	if (!ok) return undefined;
	return { version, count, entries, seed, wildcardDepths, published } as ShardManifest;
}

function isInt(v: unknown): v is number {
	return typeof v === "number" && Number.isInteger(v);
}
