// Origin lookup whose cost depends on the request's host, never on the number of
// entries: exact origins and wildcard entries in one hash set, a wildcard looked up
// once per host label as the entry that would admit the host. Any-port entries are in a
// set of their own, keyed without ":*" and looked up with the request's origin cut before
// its port; globs are grouped by their fixed parent, so a request only tries the few under
// its own parent. Every lookup hashes part of the request's own string: none builds one.
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
	/** Exact origins and wildcard entries, as written in the normalized document. */
	private readonly entries: EntrySet;
	/** Only when the document has origin patterns: a request to one without pays nothing for them. */
	private patterns?: Patterns;

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
			const p = this.patternSet();
			const key = entry.origin.slice(0, -2); // without ":*"
			if (!p.anyPort.add(key)) return false;
			p.names.set(key, entry.origin);
			if (entry.wildcard) p.anyPortWildcards++;
			else p.anyPortHosts++;
			return true;
		}
		if (entry.kind === "glob") {
			const p = this.patternSet();
			const group = p.groupOf(entry, true);
			if (group.some((g) => g.origin === entry.origin)) return false;
			group.push({ prefix: entry.prefix, labelSuffix: entry.labelSuffix, origin: entry.origin });
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

	private patternSet(): Patterns {
		this.patterns ??= new Patterns();
		return this.patterns;
	}

	/** `add` for an exact origin already in canonical form, without an entry object. */
	addExact(origin: string): boolean {
		return this.entries.add(origin);
	}

	/** How many globs share `entry`'s parent, once it is added. */
	globsBeside(entry: OriginEntry & { kind: "glob" }): number {
		return this.patterns?.groupOf(entry, false).length ?? 0;
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
			const found = walk(this.entries, key, hostStart, https, key.length);
			if (found !== undefined) return found;
		}
		const p = this.patterns;
		if (p === undefined) return undefined;
		// The same lookups, for the entries written with ":*", on the origin cut before its port.
		const end = portStart(key);
		if (p.anyPortHosts > 0) {
			const found = p.anyPort.find(key, 0, "", end);
			if (found !== undefined) return p.names.get(found);
		}
		if (p.anyPortWildcards > 0) {
			const found = walk(p.anyPort, key, hostStart, https, end);
			if (found !== undefined) return p.names.get(found);
		}
		return p.matchGlob(key, hostStart, https, end);
	}
}

/** The origin patterns of a list: any-port entries and globs. */
class Patterns {
	/** Any-port entries without their ":*": `http://localhost`, `https://*.example.com`. */
	readonly anyPort = new EntrySet();
	/** Each `anyPort` member's entry, as written. */
	readonly names = new Map<string, string>();
	anyPortHosts = 0;
	anyPortWildcards = 0;
	/** `scheme://` + a glob's parent with its port part (`https://.preview.example.com:8443`), and for `:*` globs without it. */
	private readonly parents = new EntrySet();
	private readonly anyPortParents = new EntrySet();
	private readonly groups = new Map<string, Glob[]>();
	private readonly anyPortGroups = new Map<string, Glob[]>();

	/** The globs under `entry`'s parent; with `create`, an empty group is made for a new parent. */
	groupOf(entry: OriginEntry & { kind: "glob" }, create: boolean): Glob[] {
		const anyPort = entry.parent.endsWith(":*");
		const parent = `${entry.scheme}://${anyPort ? entry.parent.slice(0, -2) : entry.parent}`;
		const groups = anyPort ? this.anyPortGroups : this.groups;
		let group = groups.get(parent);
		if (group === undefined) {
			group = [];
			if (!create) return group;
			(anyPort ? this.anyPortParents : this.parents).add(parent);
			groups.set(parent, group);
		}
		return group;
	}

	/** The glob under `key`'s parent that admits its first label; `end`: where `key`'s port starts. */
	matchGlob(key: string, hostStart: number, https: boolean, end: number): string | undefined {
		if (this.groups.size + this.anyPortGroups.size === 0 || key.charCodeAt(hostStart) === L_BRACKET) return undefined;
		const dot = key.indexOf(".", hostStart);
		if (dot < 0) return undefined;
		const scheme = https ? "https://" : "http://";
		const parent = this.groups.size > 0 ? this.parents.find(key, dot, scheme) : undefined;
		const found = parent === undefined ? undefined : matchLabel(this.groups.get(parent) as Glob[], key, hostStart, dot);
		if (found !== undefined || this.anyPortGroups.size === 0) return found;
		const anyPortParent = this.anyPortParents.find(key, dot, scheme, end);
		return anyPortParent === undefined
			? undefined
			: matchLabel(this.anyPortGroups.get(anyPortParent) as Glob[], key, hostStart, dot);
	}
}

/**
 * The wildcard entry of `set` that admits `key` cut at `end`. A wildcard needs one or more
 * labels before its suffix, so the walk starts after the host's first label: the apex
 * never matches `*.apex`.
 */
function walk(set: EntrySet, key: string, hostStart: number, https: boolean, end: number): string | undefined {
	// Bracketed IPv6 hosts have no labels; wildcards never name an IP.
	if (key.charCodeAt(hostStart) === L_BRACKET) return undefined;
	// "https://app.eu.example.com" → "https://*.eu.example.com", then "https://*.example.com"…
	const wildcard = https ? "https://*" : "http://*";
	let dot = key.indexOf(".", hostStart);
	while (dot > hostStart && dot < end) {
		const entry = set.find(key, dot, wildcard, end);
		if (entry !== undefined) return entry;
		dot = key.indexOf(".", dot + 1);
	}
	return undefined;
}

/** The glob of `group` whose label admits `key`'s first label (from `hostStart` to `dot`). */
function matchLabel(group: readonly Glob[], key: string, hostStart: number, dot: number): string | undefined {
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

/** Where a canonical origin's port starts (its ":"), or its length when it has none. */
function portStart(key: string): number {
	if (key.charCodeAt(key.length - 1) === R_BRACKET) return key.length;
	const colon = key.lastIndexOf(":");
	// The scheme's own colon (index 4 or 5) is no port's.
	return colon > 5 ? colon : key.length;
}
