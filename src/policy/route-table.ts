// Which route serves a request (docs/SPEC.md "Route keys"): a key with a host beats any
// key without one, then the longest prefix wins, at `/` boundaries only. Built once; a
// lookup is at most (deepest key's segments + 1) hash lookups per host kind, over at most
// the longest key's length of the path, so neither the number of keys nor a hostile 8 KiB
// path makes a request cost more.
import type { RouteKey } from "./route-key.ts";

const SLASH = 47;
const DOT = 46;
const R_BRACKET = 93;

export class RouteTable<T> {
	/** Prefix → value, for keys without a host. */
	private readonly anyHost = new Map<string, T>();
	/** Host → prefix → value, for keys with one; undefined when no key has a host. */
	private readonly byHost?: Map<string, Map<string, T>>;
	/** The most segments of any key: deeper prefixes of a path are never looked up. */
	private readonly depth: number;
	/** The longest prefix of any key: the path is never read past it. */
	private readonly longest: number;
	/** Scratch for one lookup's candidate prefix ends (lookups are synchronous). */
	private readonly ends: Int32Array;
	readonly size: number;

	/** `routes`: keys from `parseRouteKey`, each once (a repeat is the caller's error to report). */
	constructor(routes: Iterable<readonly [RouteKey, T]>) {
		let depth = 0;
		let longest = 1;
		let size = 0;
		for (const [key, value] of routes) {
			let map = this.anyHost;
			if (key.host !== null) {
				this.byHost ??= new Map();
				map = this.byHost.get(key.host) ?? new Map();
				this.byHost.set(key.host, map);
			}
			if (map.has(key.prefix)) throw new Error(`route key ${key.text} is given twice`);
			map.set(key.prefix, value);
			depth = Math.max(depth, key.depth);
			longest = Math.max(longest, key.prefix.length);
			size++;
		}
		this.depth = depth;
		this.longest = longest;
		this.ends = new Int32Array(depth + 1);
		this.size = size;
	}

	/**
	 * The value of the best key for a request: `host` as `URL#hostname` gives it (compared
	 * case-insensitively; a port or a trailing dot is ignored), `path` as `URL#pathname`
	 * (no query). Undefined when no key matches.
	 */
	lookup(host: string, path: string): T | undefined {
		// The candidate prefixes: `path` cut before each `/` after the first, up to `depth`
		// segments, then `path` itself when it is short enough. Deepest last.
		const ends = this.ends;
		let n = 0;
		const limit = Math.min(path.length - 1, this.longest);
		for (let i = 1; i <= limit && n < this.depth; i++) if (path.charCodeAt(i) === SLASH) ends[n++] = i;
		if (n < this.depth && path.length <= this.longest) ends[n++] = path.length;

		if (this.byHost !== undefined) {
			const map = this.byHost.get(hostName(host));
			if (map !== undefined) {
				const found = walk(map, path, ends, n);
				if (found !== undefined) return found;
			}
		}
		return walk(this.anyHost, path, ends, n);
	}
}

function walk<T>(map: Map<string, T>, path: string, ends: Int32Array, n: number): T | undefined {
	for (let k = n - 1; k >= 0; k--) {
		const found = map.get(path.slice(0, ends[k]));
		if (found !== undefined) return found;
	}
	return map.get("/");
}

/** `host` without a port or a trailing dot, lowercased: how keys write it. */
function hostName(host: string): string {
	let end = host.length;
	const colon = host.lastIndexOf(":");
	if (colon >= 0 && host.charCodeAt(host.length - 1) !== R_BRACKET) end = colon;
	if (end > 0 && host.charCodeAt(end - 1) === DOT) end--;
	return (end < host.length ? host.slice(0, end) : host).toLowerCase();
}
