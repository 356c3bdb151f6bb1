// A deliberately simple model of docs/SPEC.md's matching rules, written from its text
// alone (regular expressions and string comparisons, no code shared with src/policy),
// for property tests to compare the real, optimized policy against.

export const SAFELISTED_HEADERS = ["accept", "accept-language", "content-language", "content-type", "range"];
export const SAFELISTED_METHODS = ["GET", "HEAD", "POST"];

// docs/SPEC.md: "scheme://host[:port]", http or https; a host is dot-separated labels of letters,
// digits, "-" and "_", or a bracketed IPv6 literal (its content is not validated further:
// no entry can name an invalid one); a port has no leading zero and is at most 65535.
const ORIGIN = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::([1-9][0-9]{0,4}))?$/i;
const DEFAULT_PORTS: Record<string, string> = { http: "80", https: "443" };

export interface RefOrigin {
	scheme: string;
	host: string;
	/** "" for the scheme's default port. */
	port: string;
}

/** A request's Origin as docs/SPEC.md reads it: "null", a parsed origin, or undefined (refused). */
export function refParseOrigin(value: string): RefOrigin | "null" | undefined {
	if (value.length === 0 || value.length > 512) return undefined;
	if (value === "null") return "null";
	const m = ORIGIN.exec(value);
	if (m === null) return undefined;
	const scheme = (m[1] as string).toLowerCase();
	const port = m[3] ?? "";
	if (port !== "" && Number(port) > 65535) return undefined;
	return { scheme, host: (m[2] as string).toLowerCase(), port: port === DEFAULT_PORTS[scheme] ? "" : port };
}

/**
 * Whether one canonical allowlist entry admits a request's Origin, per docs/SPEC.md
 * "Entries of `origins`" and "Origin patterns".
 */
export function refEntryAdmits(entry: string, origin: RefOrigin | "null"): boolean {
	// "*" admits every serialized origin; the opaque origin only a literal "null" entry.
	if (entry === "null" || origin === "null") return entry === origin;
	if (entry === "*") return true;
	// scheme://, then "*." (wildcard) or "pre*suf." (glob) or nothing, the domain, a port or "*".
	const parsedEntry = /^(https?):\/\/(?:(\*)\.|([a-z0-9_-]*)\*([a-z0-9_-]*)\.)?([^:*]+)(?::(\d+|\*))?$/.exec(entry);
	if (parsedEntry === null) throw new Error(`the model only takes canonical entries: ${entry}`);
	const [, scheme, wildcard, pre, suf, domain = "", port = ""] = parsedEntry;
	if (scheme !== origin.scheme || (port !== "*" && port !== origin.port)) return false;
	if (pre !== undefined) {
		// The "*" of a glob: one or more of a-z 0-9 -, in the leftmost label only.
		const glob = new RegExp(`^${pre}[a-z0-9-]+${suf}\\.${domain.replaceAll(".", "\\.")}$`);
		return glob.test(origin.host);
	}
	if (wildcard === undefined) return origin.host === domain;
	// One or more labels before ".domain", never the apex.
	return origin.host.endsWith(`.${domain}`) && origin.host.length > domain.length + 1;
}

export function refAllowedOrigin(entries: readonly string[], value: string): boolean {
	const origin = refParseOrigin(value);
	return origin !== undefined && entries.some((entry) => refEntryAdmits(entry, origin));
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * docs/SPEC.md: Access-Control-Request-Headers is a comma-separated list of header names
 * (tokens), spaces and empty items tolerated, compared case-insensitively, at most 4 KiB.
 */
export function refHeadersApproved(value: string, listed: readonly string[]): boolean {
	if (value.length > 4096) return false;
	const allowed = new Set([...SAFELISTED_HEADERS, ...listed.map((h) => h.toLowerCase())]);
	for (const item of value.split(",")) {
		const name = item.replace(/^[ \t]+|[ \t]+$/g, "");
		if (name === "") continue;
		if (!TOKEN.test(name) || !allowed.has(name.toLowerCase())) return false;
	}
	return true;
}

/** docs/SPEC.md: methods are case-sensitive; GET, HEAD and POST need no listing. */
export function refMethodApproved(method: string, listed: readonly string[]): boolean {
	return method !== "" && (SAFELISTED_METHODS.includes(method) || listed.includes(method));
}

// docs/SPEC.md "Routes": a key is a path prefix, optionally preceded by a host; it matches
// its own path and what lies below it at a "/" boundary; a key with a host only that host
// (case-insensitive, no port); a key with a host beats any without; then the longest prefix.

export interface RefRouteKey {
	/** Lowercase, or null for any host. */
	host: string | null;
	/** Without a trailing "/" (the root stays "/"). */
	prefix: string;
}

/** Reads a valid key as docs/SPEC.md writes it: `/api`, `/api/`, `Assets.example.com/`. */
export function refRouteKey(raw: string): RefRouteKey {
	const slash = raw.indexOf("/");
	const path = raw.slice(slash);
	return {
		host: slash === 0 ? null : raw.slice(0, slash).toLowerCase(),
		prefix: path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path,
	};
}

/** The index in `keys` of the key that serves a request to `url`, by scanning every key; -1 for the top level. */
export function refRouteFor(keys: readonly string[], url: string): number {
	const u = new URL(url);
	let best = -1;
	let bestHost = false;
	let bestLength = -1;
	keys.forEach((raw, i) => {
		const { host, prefix } = refRouteKey(raw);
		if (host !== null && host !== u.hostname) return;
		const under = prefix === "/" || u.pathname === prefix || u.pathname.startsWith(`${prefix}/`);
		if (!under) return;
		const hasHost = host !== null;
		if ((hasHost && !bestHost) || (hasHost === bestHost && prefix.length > bestLength)) {
			best = i;
			bestHost = hasHost;
			bestLength = prefix.length;
		}
	});
	return best;
}
