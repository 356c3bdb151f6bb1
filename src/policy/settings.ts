// The policy fields a document sets at its top level and each route may set again
// (docs/SPEC.md "Fields"): one checker per field, given the value and the path to name in
// a problem, so a route's `methods[2]` is judged exactly as the top level's.
import { canonicalEntryKind } from "./canonical-entry.ts";
import {
	FORBIDDEN_METHODS,
	isForbiddenRequestHeader,
	isForbiddenResponseHeader,
	isToken,
	NORMALIZED_METHODS,
	SAFELISTED_METHODS,
} from "./header-names.ts";
import { MAX_GLOBS_PER_PARENT, OriginMatcher } from "./matcher.ts";
import { canonicalWildcard, describe, entryText, type OriginEntry, parseOriginEntry } from "./origin-entry.ts";
import type { ShardManifest } from "./shard-manifest.ts";

export const MAX_MAX_AGE = 86400;
/** Chromium caches a preflight for at most this long, whatever Access-Control-Max-Age says. */
const CHROMIUM_MAX_AGE = 7200;

export const DEFAULTS = {
	credentials: false,
	methods: SAFELISTED_METHODS,
	headers: [] as readonly string[],
	exposeHeaders: [] as readonly string[],
	maxAge: 600,
} as const;

/** The fields that decide requests: the top level's, or a route's effective policy. */
export interface PolicySettings {
	origins: string[];
	credentials: boolean;
	methods: string[];
	headers: string[];
	exposeHeaders: string[];
	maxAge: number;
	/** A large allowlist's origins live in KV shards named by this manifest, besides `origins`. */
	shards?: ShardManifest;
	/** Set only when the policy reports instead of enforcing: absent is `"enforce"`. */
	mode?: "report-only";
}

/** Whether the gateway enforces a policy, or forwards everything and reports where the target disagrees. */
export type Mode = "enforce" | "report-only";
const MODES: readonly Mode[] = ["enforce", "report-only"];

export type Report = (path: string, rule: string, message: string, fix?: string) => unknown;

/** Where problems and warnings go; `warnings` false skips looking for the latter (docs: ValidateOptions). */
export interface Reporter {
	problem: Report;
	warn: Report;
	warnings: boolean;
	/** Set by the command line: wildcards and globs on a public suffix are then refused. */
	publicSuffixes?: PublicSuffixes;
}

/** Hosts where ":*" is what development needs: only this machine listens there. */
const LOOPBACK_ANY_PORT = new Set(["localhost:*", "127.0.0.1:*", "[::1]:*"]);

/**
 * The section of the Public Suffix List that names `domain` itself as a public suffix
 * (`"icann"`: `co.uk`; `"private"`: shared hosting such as `github.io`), or undefined. The
 * command line answers from the list; the Worker does not bundle it and never asks.
 */
export type PublicSuffixes = (domain: string) => "icann" | "private" | undefined;

/** The fixed domain of a wildcard or glob entry, without its port: `*.example.com:*` → `example.com`. */
function fixedDomain(origin: string): string {
	const start = origin.indexOf(".", origin.indexOf("//") + 2) + 1;
	const colon = origin.indexOf(":", start);
	return colon < 0 ? origin.slice(start) : origin.slice(start, colon);
}

/** Wildcards and globs on a public suffix: refused, but a glob under shared hosting only warned about. */
function checkSuffix(entry: OriginEntry, normal: string, at: string, r: Reporter): void {
	const pattern = entry.kind === "wildcard" || entry.kind === "glob" || (entry.kind === "any-port" && entry.wildcard);
	if (!pattern || r.publicSuffixes === undefined) return;
	const domain = fixedDomain(normal);
	const section = r.publicSuffixes(domain);
	if (section === undefined) return;
	const list = `the Public Suffix List (${section === "icann" ? "a domain registry's suffix" : "shared hosting: anyone can have a site there"})`;
	if (entry.kind === "glob" && section === "private") {
		if (r.warnings)
			r.warn(
				at,
				"broad-glob",
				`${JSON.stringify(normal)} admits sites that anyone can name under "${domain}", a public suffix of ${list}`,
				"make sure the glob's literal part is one nobody else can pick, or serve previews from a domain you control",
			);
		return;
	}
	const shape =
		entry.kind === "glob" ? normal.slice(normal.indexOf("//") + 2, normal.indexOf(".", normal.indexOf("//"))) : "*";
	r.problem(
		at,
		entry.kind === "glob" ? "glob-public-suffix" : "wildcard-public-suffix",
		`${JSON.stringify(normal)} would admit sites of unrelated owners: "${domain}" is a public suffix of ${list}`,
		`list a domain you control under it, such as "${normal.slice(0, normal.indexOf("//") + 2)}${shape}.example.${domain}"`,
	);
}

export function checkCredentials(value: unknown, path: string, r: Reporter): void {
	if (typeof value !== "boolean")
		r.problem(path, "credentials-not-boolean", `expected true or false, got ${describe(value)}`);
}

/** The mode at `path`, or undefined for a problem: anything but the two modes is one, never a guess. */
export function checkMode(value: unknown, path: string, r: Reporter): Mode | undefined {
	if (MODES.includes(value as Mode)) return value as Mode;
	// "Report-Only", "report_only", "reportOnly": a spelling of a mode, named in the fix.
	const letters = typeof value === "string" ? value.toLowerCase().replace(/[^a-z]/g, "") : undefined;
	const near = MODES.find((m) => m.replace("-", "") === letters);
	r.problem(
		path,
		"mode-unknown",
		`expected "enforce" or "report-only", got ${describe(value)}`,
		near ? `write "${near}"` : 'remove it to enforce, or write "report-only" to forward everything and report',
	);
	return undefined;
}

export function checkMaxAge(value: unknown, path: string, r: Reporter): void {
	if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_MAX_AGE) {
		r.problem(
			path,
			"max-age-range",
			`expected a whole number of seconds from 0 to ${MAX_MAX_AGE}, got ${describe(value)}`,
			typeof value === "number" && value > MAX_MAX_AGE ? `use ${MAX_MAX_AGE}` : undefined,
		);
	} else if (r.warnings && value > CHROMIUM_MAX_AGE) {
		r.warn(
			path,
			"max-age-capped",
			`${value} seconds: Chromium caches a preflight for at most ${CHROMIUM_MAX_AGE} (2 hours), so Chrome and Edge ask again sooner; Firefox keeps it up to 86400`,
			`use ${CHROMIUM_MAX_AGE} to say what Chromium does, or keep ${value} for Firefox`,
		);
	}
}

/**
 * Checks and normalizes an `origins` list (at `path`) that goes with `credentials`, and
 * compiles it into a matcher as it goes: the matcher's hash set is also the repeat check.
 */
export function checkOrigins(
	list: readonly unknown[],
	path: string,
	credentials: unknown,
	r: Reporter,
): { matcher: OriginMatcher; origins: string[] } {
	const matcher = new OriginMatcher(list.length);
	const origins: string[] = [];
	// Built only for a problem: a million-entry list must not pay for a million paths.
	const at = (i: number) => `${path}[${i}]`;
	for (let i = 0; i < list.length; i++) {
		const raw = list[i];
		const kind = typeof raw === "string" ? canonicalEntryKind(raw) : undefined;
		// The common case allocates nothing: a canonical exact entry is its own key.
		let entry: OriginEntry | undefined;
		let normal: string;
		let added: boolean;
		if (kind === "exact") {
			normal = raw as string;
			added = matcher.addExact(normal);
		} else {
			const parsed = kind === "wildcard" ? canonicalWildcard(raw as string) : parseOriginEntry(raw);
			if ("rule" in parsed) {
				r.problem(at(i), parsed.rule, `${JSON.stringify(raw)}: ${parsed.message}`, parsed.fix);
				continue;
			}
			entry = parsed;
			normal = entryText(entry);
			added = matcher.add(entry);
		}
		if (added && entry?.kind === "glob" && matcher.globsBeside(entry) > MAX_GLOBS_PER_PARENT) {
			r.problem(
				at(i),
				"globs-too-many",
				`more than ${MAX_GLOBS_PER_PARENT} patterns under "${entry.parent.slice(1)}": each request under it tries them all`,
				"merge them into fewer patterns, or list the hosts",
			);
			continue;
		}
		if (!added) {
			r.warn(at(i), "duplicate", `${JSON.stringify(raw)} is listed already (as "${normal}")`, "remove the repeat");
			continue;
		}
		if (entry?.kind === "any" && credentials === true) {
			r.problem(
				at(i),
				"wildcard-with-credentials",
				'"*" cannot be used with "credentials": true: browsers refuse a wildcard on credentialed requests, and reflecting every origin would let any site act as the user',
				'list the origins explicitly, or set "credentials": false',
			);
		}
		if (r.warnings) {
			if (entry?.kind === "null")
				r.warn(
					at(i),
					"null-origin",
					'"null" is the origin of sandboxed iframes, data: URLs and local files: any site can produce it',
				);
			if (credentials === true && normal.startsWith("http://")) {
				r.warn(
					at(i),
					"insecure-with-credentials",
					`${JSON.stringify(normal)} is plain http with credentials on: anyone on the network path can act as that origin`,
					`use "https://${normal.slice(7)}" if the site supports it`,
				);
			}
			if (entry?.kind === "any-port" && !LOOPBACK_ANY_PORT.has(normal.slice(normal.indexOf("//") + 2))) {
				r.warn(
					at(i),
					"any-port-not-loopback",
					`${JSON.stringify(normal)} admits every port of a host that is not this machine: whatever else listens there can read the answers`,
					`list the ports in use (${JSON.stringify(normal.slice(0, -2))}), or keep ":*" to localhost, 127.0.0.1 and [::1]`,
				);
			}
		}
		if (entry !== undefined) checkSuffix(entry, normal, at(i), r);
		origins.push(normal);
	}
	return { matcher, origins };
}

export function checkMethods(list: unknown, path: string, r: Reporter): string[] {
	return checkList(list, path, r, (m, at) => {
		// "*" is a token, and a method name to the Fetch standard only without credentials; docs/SPEC.md refuses it.
		if (m === "*")
			return r.problem(at, "method-wildcard", '"*" is only allowed in "origins"', "list the methods pages send");
		if (!isToken(m)) return r.problem(at, "method-not-token", `${JSON.stringify(m)} is not a valid HTTP method name`);
		const upper = m.toUpperCase();
		if (FORBIDDEN_METHODS.has(upper))
			return r.problem(at, "method-forbidden", `${m} is never allowed cross-origin`, "remove it");
		if (m !== upper && NORMALIZED_METHODS.has(upper)) {
			return r.problem(
				at,
				"method-case",
				`browsers send "${upper}" in upper case, so "${m}" would never match`,
				`use "${upper}"`,
			);
		}
		if (m !== upper)
			r.warn(
				at,
				"method-case",
				`methods are case-sensitive and "${m}" is sent exactly as the page writes it`,
				`use "${upper}" if that is what pages send`,
			);
		return m;
	});
}

export function checkHeaders(list: unknown, path: string, r: Reporter): string[] {
	return checkList(list, path, r, (h, at) => {
		if (h === "*")
			return r.problem(at, "header-wildcard", '"*" is only allowed in "origins"', "list the header names pages send");
		if (!isToken(h)) return r.problem(at, "header-not-token", `${JSON.stringify(h)} is not a valid header name`);
		const lower = h.toLowerCase();
		if (isForbiddenRequestHeader(lower))
			return r.problem(
				at,
				"header-forbidden",
				`"${lower}" is a forbidden request header: browsers set it themselves and never let a page send it`,
				"remove it",
			);
		return lower;
	});
}

export function checkExposeHeaders(list: unknown, path: string, r: Reporter): string[] {
	return checkList(list, path, r, (h, at) => {
		if (h === "*")
			return r.problem(
				at,
				"header-wildcard",
				'"*" is only allowed in "origins"',
				"list the response header names pages may read",
			);
		if (!isToken(h)) return r.problem(at, "header-not-token", `${JSON.stringify(h)} is not a valid header name`);
		const lower = h.toLowerCase();
		if (isForbiddenResponseHeader(lower))
			return r.problem(at, "expose-forbidden", `"${lower}" can never be exposed to a page`, "remove it");
		return lower;
	});
}

/** Checks one string list; `each` returns the normalized item or nothing for a problem. Repeats are dropped. */
function checkList(
	list: unknown,
	path: string,
	r: Reporter,
	each: (item: string, path: string) => string | unknown,
): string[] {
	if (!Array.isArray(list)) {
		r.problem(path, "not-array", `expected an array of strings, got ${describe(list)}`);
		return [];
	}
	const out = new Set<string>();
	list.forEach((item, i) => {
		const at = `${path}[${i}]`;
		if (typeof item !== "string") {
			r.problem(at, "not-string", `expected a string, got ${describe(item)}`);
			return;
		}
		const normal = each(item, at);
		if (typeof normal === "string") out.add(normal);
	});
	return [...out];
}

/**
 * Reports each key of `object` (at `base`: "" for the document, `routes["/x"].` for a
 * route) that is not in `fields`, suggesting the field it is likely a typo of.
 */
export function checkFieldNames(
	object: Record<string, unknown>,
	fields: readonly string[],
	base: string,
	r: Reporter,
	elsewhere: Readonly<Record<string, string>> = {},
): void {
	for (const key of Object.keys(object)) {
		if (fields.includes(key)) continue;
		const near = fields.find((f) => closeTo(key, f));
		r.problem(
			`${base}${key}`,
			"unknown-field",
			`unknown field "${key}"`,
			elsewhere[key] ?? (near ? `did you mean "${near}"?` : `remove it; the fields are ${fields.join(", ")}`),
		);
	}
}

/** A likely typo: same letters ignoring case, or one edit apart. */
function closeTo(a: string, b: string): boolean {
	const x = a.toLowerCase();
	const y = b.toLowerCase();
	// At most one character added, dropped or changed (a plural, a typo).
	if (Math.abs(x.length - y.length) > 1) return false;
	let i = 0;
	while (i < x.length && x[i] === y[i]) i++;
	return x.slice(i + 1) === y.slice(i + 1) || x.slice(i + 1) === y.slice(i) || x.slice(i) === y.slice(i + 1);
}
