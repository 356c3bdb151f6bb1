// Validates the `shards` field of the allowlist document: the manifest naming the
// versioned shard set of a large allowlist (docs/LARGE-ALLOWLISTS.md). The command line
// writes it; a hand-edited one that does not fit is rejected like any other field, so a
// broken manifest can never stand for "no restriction".
import { MAX_SHARDS, type ShardManifest, VERSION_PATTERN } from "./layout.ts";

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
