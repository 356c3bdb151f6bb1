// Route keys (docs/SPEC.md "Route keys"): a path prefix, optionally preceded by a host, as
// the document's `routes` and the Worker's `ROUTES` write them. Parsed into one normal
// form, so that two spellings of one route are caught as a repeat and the lookup compares
// plain strings; anything that could never match a request's URL is refused with the fix.
import { checkLabels, type EntryFault, fault, toAsciiHost } from "./origin-entry.ts";

export interface RouteKey {
	/** Lowercase ASCII host name (punycode for IDN), or null for a key that matches any host. */
	host: string | null;
	/** Starts with `/`; no trailing `/` except the root `/` itself. */
	prefix: string;
	/** Path segments in `prefix`: 0 for `/`, 2 for `/api/v2`. */
	depth: number;
	/** The normalized key: `/api`, `assets.example.com/`, `api.example.com/v2`. */
	text: string;
}

/** Longest prefix a key may have, and the most segments: what a request's lookup may cost at most. */
export const MAX_ROUTE_PREFIX_LENGTH = 1024;
export const MAX_ROUTE_DEPTH = 32;

/**
 * Per ASCII code: 1 for a character a key's path may hold. RFC 3986's path characters
 * without `%`: exactly those the URL parser never percent-encodes in a path, so a key is
 * spelled the way a request's `URL#pathname` spells it. Percent-encoding is refused
 * outright: `%41` and `A`, or `%2F` and `/`, would be two spellings of one path.
 */
const PATH_CHAR = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/")
	PATH_CHAR[c.charCodeAt(0)] = 1;

const SLASH = 47;

export function parseRouteKey(raw: string): RouteKey | EntryFault {
	if (raw === "") return fault("route-key-empty", "the route key is empty", 'write a path such as "/api"');
	if (/\s/.test(raw)) {
		const trimmed = raw.trim();
		return fault(
			"route-key-whitespace",
			"the route key contains whitespace",
			trimmed !== "" && !/\s/.test(trimmed) ? `use "${trimmed}"` : undefined,
		);
	}
	const scheme = raw.indexOf("://");
	if (scheme >= 0) {
		const rest = raw.slice(scheme + 3);
		return fault(
			"route-key-scheme",
			"a route key has no scheme: it is a path, optionally preceded by a host",
			`use "${rest.includes("/") ? rest : `${rest}/`}"`,
		);
	}
	const slash = raw.indexOf("/");
	if (slash < 0)
		return fault(
			"route-key-no-path",
			"a route key is a path starting with /, optionally preceded by a host",
			`use "/${raw}" for a path, or "${raw}/" for every path of host ${raw}`,
		);

	let host: string | null = null;
	if (slash > 0) {
		const parsed = parseHost(raw.slice(0, slash), raw.slice(slash));
		if (typeof parsed !== "string") return parsed;
		host = parsed;
	}
	const prefix = parsePrefix(raw.slice(slash));
	if (typeof prefix !== "string") return prefix;
	const depth = prefix === "/" ? 0 : prefix.split("/").length - 1;
	if (depth > MAX_ROUTE_DEPTH)
		return fault("route-key-too-deep", `the path has ${depth} segments; a route key has at most ${MAX_ROUTE_DEPTH}`);
	return { host, prefix, depth, text: `${host ?? ""}${prefix}` };
}

/** The host of a key, lowercased and in punycode, as `URL#hostname` gives it without a port. */
function parseHost(host: string, path: string): string | EntryFault {
	if (host.startsWith("["))
		return fault("route-key-host", "a route key's host is a DNS name; IP version 6 literals are not supported");
	if (host.includes("*"))
		return fault(
			"route-key-host-wildcard",
			"a route key's host is one exact name; wildcards are not supported",
			"write one key per host",
		);
	if (host.includes("@")) return fault("route-key-host", `"${host}" is not a host name: it has user-info ("@")`);
	const colon = host.indexOf(":");
	if (colon >= 0)
		return fault(
			"route-key-port",
			"a route key's host has no port: requests are matched by host name whatever their port",
			`use "${host.slice(0, colon)}${path}"`,
		);
	const ascii = toAsciiHost(host);
	if (ascii === undefined || ascii === "") return fault("route-key-host", `"${host}" is not a valid host name`);
	const bad = checkLabels(ascii);
	if (bad) return bad;
	// The URL parser would rewrite "1.2" into "0.1.0.2" or decode "%61": a key says what it means.
	if (ascii !== host.toLowerCase() && /^\p{ASCII}*$/u.test(host))
		return fault(
			"route-key-host",
			`"${host}" is not a host name requests carry as written; it would be read as "${ascii}"`,
			`use "${ascii}${path}"`,
		);
	return ascii;
}

/** The path of a key (it starts with `/`), without its trailing `/`. */
function parsePrefix(path: string): string | EntryFault {
	const query = path.search(/[?#]/);
	if (query >= 0) {
		const what = path[query] === "?" ? "query" : "fragment";
		return fault(
			`route-key-${what}`,
			`the route key has a ${what}; a route is chosen by the request's path alone`,
			`use "${path.slice(0, query) || "/"}"`,
		);
	}
	if (path.includes("\\"))
		return fault(
			"route-key-backslash",
			"the route key has a backslash; paths are separated by /",
			`use "${path.replaceAll("\\", "/")}"`,
		);
	if (path.includes("%"))
		return fault(
			"route-key-percent",
			"the route key has percent-encoding; keys are written literally, so that each path has one spelling",
			"write the characters themselves (letters, digits and -._~!$&'()*+,;=:@), or a key for the parent path",
		);
	for (let i = 0; i < path.length; i++) {
		const c = path.charCodeAt(i);
		if (c >= 128 || PATH_CHAR[c] === 0)
			return fault(
				"route-key-character",
				`the route key contains "${path[i]}", which a URL percent-encodes in a path`,
				"use letters, digits and -._~!$&'()*+,;=:@ only, or a key for the parent path",
			);
	}
	if (path.includes("//"))
		return fault(
			"route-key-empty-segment",
			"the route key has an empty segment (//)",
			`use "${path.replace(/\/{2,}/g, "/")}"`,
		);
	const trimmed = path.length > 1 && path.charCodeAt(path.length - 1) === SLASH ? path.slice(0, -1) : path;
	const segments = trimmed.split("/");
	if (segments.some((s) => s === "." || s === ".."))
		return fault(
			"route-key-dot-segment",
			'the route key has a "." or ".." segment, which the URL parser resolves before any request is matched',
			`use "${new URL(trimmed, "http://h").pathname}"`,
		);
	if (trimmed.length > MAX_ROUTE_PREFIX_LENGTH)
		return fault(
			"route-key-too-long",
			`the path is ${trimmed.length} characters; a route key's path has at most ${MAX_ROUTE_PREFIX_LENGTH}`,
		);
	return trimmed;
}
