// Origin lookup whose cost depends on the request's host, never on the number of
// entries: exact origins in one hash set, subdomain wildcards in one hash set per
// scheme keyed by the suffix after the wildcard label.
import type { OriginEntry } from "./origin-entry.ts";

export class OriginMatcher {
	readonly any: boolean;
	private readonly allowNull: boolean;
	private readonly exact = new Set<string>();
	private readonly httpsSuffixes = new Map<string, string>();
	private readonly httpSuffixes = new Map<string, string>();

	constructor(entries: readonly OriginEntry[]) {
		let any = false;
		let allowNull = false;
		for (const e of entries) {
			if (e.kind === "any") any = true;
			else if (e.kind === "null") allowNull = true;
			else if (e.kind === "exact") this.exact.add(e.origin);
			else (e.scheme === "https" ? this.httpsSuffixes : this.httpSuffixes).set(e.suffix, e.origin);
		}
		this.any = any;
		this.allowNull = allowNull;
	}

	/**
	 * The entry that admits `key` (a canonical origin from `canonicalOrigin`), or
	 * undefined. A wildcard needs one or more labels before its suffix, so the walk
	 * starts after the host's first label: the apex never matches `*.apex`.
	 */
	match(key: string): string | undefined {
		if (this.exact.has(key)) return key;
		if (key === "null") return this.allowNull ? "null" : this.any ? "*" : undefined;
		const https = key.charCodeAt(4) === 115; /* s */
		const suffixes = https ? this.httpsSuffixes : this.httpSuffixes;
		if (suffixes.size > 0) {
			const hostStart = https ? 8 : 7;
			// Bracketed IPv6 hosts have no labels; wildcards never name an IP.
			if (key.charCodeAt(hostStart) !== 91 /* [ */) {
				let dot = key.indexOf(".", hostStart);
				while (dot > hostStart) {
					const entry = suffixes.get(key.slice(dot));
					if (entry !== undefined) return entry;
					dot = key.indexOf(".", dot + 1);
				}
			}
		}
		return this.any ? "*" : undefined;
	}
}
