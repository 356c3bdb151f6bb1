// Where a sharded allowlist lives in KV and which shard holds a key. Shared by the command
// line (which writes the layout) and the Worker (which reads it), so both place every key
// the same way. docs/LARGE-ALLOWLISTS.md is the reference for this layout.
import type { ShardManifest } from "../policy/index.ts";
import { murmur3 } from "./hash.ts";

/**
 * Keys per shard the command line aims at: about 40 KiB of text, one KV read, and little
 * to check in a fresh isolate, which reads one before its first answer.
 */
export const KEYS_PER_SHARD = 1024;

const SHARD_SALT = 0x5bd1e995;

/** The KV key of the allowlist document; a sharded list's other keys are named under it. */
export const ALLOWLIST_KEY = "allowlist";

/**
 * Where the command line keeps the documents its writes replaced (src/cli/history.ts). The
 * Worker never lists keys and reads only `allowlist` and the keys of the version the document
 * names; the command line's version names are timestamps, never "history".
 */
export const HISTORY_PREFIX = `${ALLOWLIST_KEY}/history/`;

export function versionPrefix(version: string): string {
	return `${ALLOWLIST_KEY}/${version}/`;
}

export function filterKey(version: string): string {
	return `${versionPrefix(version)}filter`;
}

export function shardKey(version: string, index: number): string {
	return `${versionPrefix(version)}shard/${index}`;
}

/** Every shard key of `manifest`, in shard order. */
export function shardKeys(manifest: Pick<ShardManifest, "version" | "count">): string[] {
	return Array.from({ length: manifest.count }, (_, i) => shardKey(manifest.version, i));
}

/** The shard that holds `key` (an exact origin or a wildcard entry, canonical form). */
export function shardOf(key: string, manifest: Pick<ShardManifest, "count" | "seed">): number {
	return murmur3(key, (manifest.seed ^ SHARD_SALT) >>> 0) & (manifest.count - 1);
}

/**
 * The keys that could admit `origin` (a canonical origin key, never "null"): the origin
 * itself, then the wildcard entry for each suffix of its host whose label count is one of
 * `wildcardDepths`, nearest first. A host needs a label before the suffix, so the apex is
 * never covered by its own wildcard, as in the in-memory matcher.
 */
export function lookupKeys(origin: string, wildcardDepths: readonly number[]): string[] {
	const keys = [origin];
	if (wildcardDepths.length === 0) return keys;
	const hostStart = origin.indexOf("://") + 3;
	// Bracketed IPv6 hosts have no labels; wildcards never name an IP.
	if (hostStart < 3 || origin.charCodeAt(hostStart) === 91 /* [ */) return keys;
	const colon = origin.indexOf(":", hostStart);
	const hostEnd = colon === -1 ? origin.length : colon;
	let dots = 0;
	for (let i = hostStart; i < hostEnd; i++) if (origin.charCodeAt(i) === 46) dots++;
	const head = origin.slice(0, hostStart);
	let labels = dots; // labels in the suffix that starts at the next dot
	for (let dot = origin.indexOf(".", hostStart); dot !== -1 && dot < hostEnd; dot = origin.indexOf(".", dot + 1)) {
		if (wildcardDepths.includes(labels)) keys.push(`${head}*${origin.slice(dot)}`);
		labels--;
	}
	return keys;
}

/** How many labels the suffix of a wildcard entry (`https://*.a.example:8443`) has. */
export function wildcardDepth(entry: string): number {
	const hostStart = entry.indexOf("://") + 3;
	const colon = entry.indexOf(":", hostStart);
	const suffix = entry.slice(hostStart + 2, colon === -1 ? entry.length : colon);
	let labels = 1;
	for (let i = 0; i < suffix.length; i++) if (suffix.charCodeAt(i) === 46) labels++;
	return labels;
}
