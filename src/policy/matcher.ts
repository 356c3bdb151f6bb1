// Origin lookup whose cost depends on the request's host, never on the number of
// entries: exact origins and wildcard entries in one hash set, a wildcard looked up
// once per host label as the entry that would admit the host.
import { EntrySet } from "./entry-set.ts";
import type { OriginEntry } from "./origin-entry.ts";

export class OriginMatcher {
	private anyOrigin = false;
	private allowNull = false;
	private httpsWildcards = 0;
	private httpWildcards = 0;
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

	/**
	 * The entry that admits `key` (a canonical origin from `canonicalOrigin`), or
	 * undefined; `"*"` is the caller's to check first (`any`). A wildcard needs one or more
	 * labels before its suffix, so the walk starts after the host's first label: the apex
	 * never matches `*.apex`.
	 */
	match(key: string): string | undefined {
		if (this.entries.find(key) !== undefined) return key;
		if (key === "null") return this.allowNull ? "null" : undefined;
		const https = key.charCodeAt(4) === 115; /* s */
		if ((https ? this.httpsWildcards : this.httpWildcards) > 0) {
			const hostStart = https ? 8 : 7;
			// Bracketed IPv6 hosts have no labels; wildcards never name an IP.
			if (key.charCodeAt(hostStart) !== 91 /* [ */) {
				// "https://app.eu.example.com" → "https://*.eu.example.com", then "https://*.example.com"…
				const wildcard = https ? "https://*" : "http://*";
				let dot = key.indexOf(".", hostStart);
				while (dot > hostStart) {
					const entry = this.entries.find(key, dot, wildcard);
					if (entry !== undefined) return entry;
					dot = key.indexOf(".", dot + 1);
				}
			}
		}
		return undefined;
	}
}
