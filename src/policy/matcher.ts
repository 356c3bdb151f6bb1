// Origin lookup whose cost depends on the request's host, never on the number of
// entries: exact origins and wildcard entries in one hash set, a wildcard looked up
// once per host label as the entry that would admit the host. Any-port entries are in the
// same set, found by the origin with ":*" for its port; globs are grouped by their fixed
// parent, so a request only tries the few under its own parent.
import { EntrySet } from "./entry-set.ts";
import type { OriginEntry } from "./origin-entry.ts";

/** Most globs under one parent (scheme, domain and port part): a request may try them all. */
export const MAX_GLOBS_PER_PARENT = 64;

interface Glob {
	prefix: string;
	labelSuffix: string;
	origin: string;
}

/** Per ASCII code: 1 for what a glob's `*` stands for, `a-z 0-9 -`. */
const GLOB_CHAR = new Uint8Array(128);
GLOB_CHAR.fill(1, 97, 123);
GLOB_CHAR.fill(1, 48, 58);
GLOB_CHAR[45 /* - */] = 1;

const L_BRACKET = 91;
const R_BRACKET = 93;

export class OriginMatcher {
	private anyOrigin = false;
	private allowNull = false;
	private httpsWildcards = 0;
	private httpWildcards = 0;
	private anyPortHosts = 0;
	private anyPortWildcards = 0;
	/** `scheme://` + parent (`.preview.example.com`, `.example.com:8443`, `.example.com:*`) → its globs. */
	private globs?: Map<string, Glob[]>;
	/** Exact origins and wildcard entries, as written in the normalized document. */
	private readonly entries: EntrySet;

	/** `expected`: how many entries will be added (room is made for them at once). */
	constructor(expected = 0) {
		this.entries = new EntrySet(expected);
	}

	/** Whether `"*"` is listed. */
	get any(): boolean {
		return this.anyOrigin;
	}

	/**
	 * Adds an entry; false when an equal one is in already. Validation fills the matcher
	 * entry by entry, so its hash set is also the duplicate check: each entry is hashed once.
	 */
	add(entry: OriginEntry): boolean {
		if (entry.kind === "exact") return this.entries.add(entry.origin);
		if (entry.kind === "wildcard") {
			if (!this.entries.add(entry.origin)) return false;
			if (entry.scheme === "https") this.httpsWildcards++;
			else this.httpWildcards++;
			return true;
		}
		if (entry.kind === "any-port") {
			if (!this.entries.add(entry.origin)) return false;
			if (entry.wildcard) this.anyPortWildcards++;
			else this.anyPortHosts++;
			return true;
		}
		if (entry.kind === "glob") {
			this.globs ??= new Map();
			const parent = `${entry.scheme}://${entry.parent}`;
			const group = this.globs.get(parent) ?? [];
			if (group.some((g) => g.origin === entry.origin)) return false;
			group.push({ prefix: entry.prefix, labelSuffix: entry.labelSuffix, origin: entry.origin });
			this.globs.set(parent, group);
			return true;
		}
		if (entry.kind === "any") {
			const listed = this.anyOrigin;
			this.anyOrigin = true;
			return !listed;
		}
		const listed = this.allowNull;
		this.allowNull = true;
		return !listed;
	}

	/** `add` for an exact origin already in canonical form, without an entry object. */
	addExact(origin: string): boolean {
		return this.entries.add(origin);
	}

	/** How many globs share `entry`'s parent, once it is added. */
	globsBeside(entry: OriginEntry & { kind: "glob" }): number {
		return this.globs?.get(`${entry.scheme}://${entry.parent}`)?.length ?? 0;
	}

	/**
	 * The entry that admits `key` (a canonical origin from `canonicalOrigin`), or
	 * undefined; `"*"` is the caller's to check first (`any`).
	 */
	match(key: string): string | undefined {
		if (this.entries.find(key) !== undefined) return key;
		if (key === "null") return this.allowNull ? "null" : undefined;
		const https = key.charCodeAt(4) === 115; /* s */
		const hostStart = https ? 8 : 7;
		if ((https ? this.httpsWildcards : this.httpWildcards) > 0) {
			const found = this.walk(key, hostStart, https);
			if (found !== undefined) return found;
		}
		if (this.anyPortHosts + this.anyPortWildcards === 0 && this.globs === undefined) return undefined;
		// The same lookups again for the entries written with ":*", which stands for every port.
		const anyPort = `${withoutPort(key)}:*`;
		if (this.anyPortHosts > 0 && this.entries.find(anyPort) !== undefined) return anyPort;
		if (this.anyPortWildcards > 0) {
			const found = this.walk(anyPort, hostStart, https);
			if (found !== undefined) return found;
		}
		if (this.globs !== undefined) return this.matchGlob(key, hostStart) ?? this.matchGlob(anyPort, hostStart);
		return undefined;
	}

	/**
	 * The wildcard entry that admits `key`. A wildcard needs one or more labels before its
	 * suffix, so the walk starts after the host's first label: the apex never matches `*.apex`.
	 */
	private walk(key: string, hostStart: number, https: boolean): string | undefined {
		// Bracketed IPv6 hosts have no labels; wildcards never name an IP.
		if (key.charCodeAt(hostStart) === L_BRACKET) return undefined;
		// "https://app.eu.example.com" → "https://*.eu.example.com", then "https://*.example.com"…
		const wildcard = https ? "https://*" : "http://*";
		let dot = key.indexOf(".", hostStart);
		while (dot > hostStart) {
			const entry = this.entries.find(key, dot, wildcard);
			if (entry !== undefined) return entry;
			dot = key.indexOf(".", dot + 1);
		}
		return undefined;
	}

	/** The glob under `key`'s parent that admits its first label. */
	private matchGlob(key: string, hostStart: number): string | undefined {
		if (key.charCodeAt(hostStart) === L_BRACKET) return undefined;
		const dot = key.indexOf(".", hostStart);
		if (dot < 0) return undefined;
		const group = (this.globs as Map<string, Glob[]>).get(key.slice(0, hostStart) + key.slice(dot));
		if (group === undefined) return undefined;
		for (const glob of group) {
			const from = hostStart + glob.prefix.length;
			const to = dot - glob.labelSuffix.length;
			if (to <= from || !key.startsWith(glob.prefix, hostStart) || !key.startsWith(glob.labelSuffix, to)) continue;
			let i = from;
			while (i < to && GLOB_CHAR[key.charCodeAt(i)] === 1) i++;
			if (i === to) return glob.origin;
		}
		return undefined;
	}
}

/** A canonical origin without its port: `https://app.example.com:8443` → `https://app.example.com`. */
function withoutPort(key: string): string {
	if (key.charCodeAt(key.length - 1) === R_BRACKET) return key;
	const colon = key.lastIndexOf(":");
	// The scheme's own colon (index 4 or 5) is no port's.
	return colon > 5 ? key.slice(0, colon) : key;
}
