// Normalizes one entry of the document's `origins` list into the form the matcher
// compiles, or explains precisely why it is not a valid entry and how to fix it.
import { canonicalEntryKind, MAX_HOST_LENGTH, MAX_LABEL_LENGTH } from "./canonical-entry.ts";
import { canonicalOrigin, DEFAULT_PORT, isHostNameChar } from "./origin.ts";

export type OriginEntry =
	| { kind: "any" }
	| { kind: "null" }
	| { kind: "exact"; origin: string }
	/** `suffix` is what follows the wildcard label: `.example.com` or `.example.com:8443`. */
	| { kind: "wildcard"; scheme: "http" | "https"; suffix: string; origin: string }
	/** `scheme://host:*` or `scheme://*.domain:*`: every port of the host, the default one included. */
	| { kind: "any-port"; wildcard: boolean; origin: string }
	/**
	 * `https://pr-*.preview.example.com[:port|:*]`: the leftmost label is `prefix`, then one
	 * or more of `a-z 0-9 -`, then `labelSuffix`; `parent` (`.preview.example.com`, with the
	 * port part) matches exactly.
	 */
	| { kind: "glob"; scheme: "http" | "https"; prefix: string; labelSuffix: string; parent: string; origin: string };

export interface EntryFault {
	rule: string;
	message: string;
	fix?: string;
}

export function fault(rule: string, message: string, fix?: string): EntryFault {
	return fix === undefined ? { rule, message } : { rule, message, fix };
}

/** IDN hosts become punycode, as browsers serialize them; the WHATWG URL parser knows how. */
export function toAsciiHost(host: string): string | undefined {
	try {
		return new URL(`http://${host}/`).hostname;
	} catch {
		return undefined;
	}
}

export function checkLabels(host: string): EntryFault | undefined {
	if (host.length > MAX_HOST_LENGTH) {
		return fault("host-too-long", `host is longer than ${MAX_HOST_LENGTH} characters`);
	}
	for (const label of host.split(".")) {
		if (label === "")
			return fault("host-empty-label", "host has an empty label (two dots in a row, or a leading or trailing dot)");
		if (label.length > MAX_LABEL_LENGTH) {
			return fault("host-label-too-long", `host label "${label}" is longer than ${MAX_LABEL_LENGTH} characters`);
		}
		for (let i = 0; i < label.length; i++) {
			if (!isHostNameChar(label.charCodeAt(i))) {
				return fault(
					"host-invalid-character",
					`host label "${label}" contains "${label[i]}"; only letters, digits, "-" and "_" are allowed`,
				);
			}
		}
	}
	return undefined;
}

/** A glob's leftmost label (`pr-*`, lowercase): `*` beside literal characters, which are `a-z 0-9 - _`. */
function checkGlobLabel(label: string): EntryFault | undefined {
	if (label.length > MAX_LABEL_LENGTH) {
		return fault("host-label-too-long", `host label "${label}" is longer than ${MAX_LABEL_LENGTH} characters`);
	}
	for (let i = 0; i < label.length; i++) {
		const c = label.charCodeAt(i);
		if (c !== 42 /* * */ && !isHostNameChar(c)) {
			return fault(
				"glob-invalid-character",
				`the pattern's label "${label}" contains "${label[i]}"; beside the "*" only letters, digits, "-" and "_" are allowed`,
				/[^\p{ASCII}]/u.test(label)
					? "write the literal part in punycode (xn--…), or list the hosts"
					: 'keep letters, digits, "-" and "_" beside the "*", or list the hosts',
			);
		}
	}
	return undefined;
}

function isNumericLabel(label: string): boolean {
	return /^[0-9]+$/.test(label);
}

/** The entry of a wildcard that `canonicalEntryKind` recognized: its suffix is cut, nothing else computed. */
export function canonicalWildcard(raw: string): OriginEntry {
	const https = raw.charCodeAt(4) === 115; /* s */
	// After "https://*" or "http://*": ".example.com[:port]".
	return { kind: "wildcard", scheme: https ? "https" : "http", suffix: raw.slice(https ? 9 : 8), origin: raw };
}

/**
 * Whether `text`, an entry as the validator normalizes it, may live in a shard: exact
 * origins and `*.` wildcards, whose lookups hash to one shard. `"*"`, `"null"` and the
 * patterns (`:*`, globs) stay in the document.
 */
export function isShardable(text: string): boolean {
	if (canonicalEntryKind(text) !== undefined) return true;
	const entry = parseOriginEntry(text);
	return !("rule" in entry) && (entry.kind === "exact" || entry.kind === "wildcard") && entry.origin === text;
}

/** How `entry` is written in a normalized document. */
export function entryText(entry: OriginEntry): string {
	return entry.kind === "any" ? "*" : entry.kind === "null" ? "null" : entry.origin;
}

export function parseOriginEntry(raw: unknown): OriginEntry | EntryFault {
	if (typeof raw !== "string") return fault("origin-not-string", `expected a string, got ${describe(raw)}`);
	// Before any trimming or lowercasing: a canonical entry needs none.
	const kind = canonicalEntryKind(raw);
	if (kind === "exact") return { kind, origin: raw };
	if (kind === "wildcard") return canonicalWildcard(raw);
	if (raw === "*") return { kind: "any" };
	if (raw === "null") return { kind: "null" };
	if (raw === "")
		return fault(
			"origin-empty",
			"the entry is empty",
			'remove it, or write an origin such as "https://app.example.com"',
		);
	const trimmed = raw.trim();
	if (/\s/.test(raw)) {
		return fault(
			"origin-whitespace",
			"the entry contains whitespace",
			trimmed !== raw && !/\s/.test(trimmed) ? `use "${trimmed}"` : undefined,
		);
	}
	if (raw.toLowerCase() === "null")
		return fault("origin-null-case", `the opaque origin is written "null" in lowercase`, 'use "null"');

	const sep = raw.indexOf("://");
	if (sep < 0) {
		const guess = raw.replace(/^\/+/, "");
		return fault("origin-missing-scheme", "the entry has no scheme", `use "https://${guess}"`);
	}
	const scheme = raw.slice(0, sep).toLowerCase();
	if (scheme !== "http" && scheme !== "https") {
		return fault(
			"origin-scheme",
			`scheme "${raw.slice(0, sep)}" is not allowed; only http and https origins can be listed`,
		);
	}
	let rest = raw.slice(sep + 3);
	const base = `${scheme}://`;

	const at = rest.indexOf("@");
	const slash = rest.search(/[/\\?#]/);
	if (at >= 0 && (slash < 0 || at < slash)) {
		return fault(
			"origin-userinfo",
			'the entry has user-info ("user@"); an origin never does',
			`use "${base}${rest.slice(at + 1).split(/[/\\?#]/)[0]}"`,
		);
	}
	if (slash >= 0) {
		const what = { "/": "a path", "\\": "a backslash", "?": "a query", "#": "a fragment" }[
			rest[slash] as "/" | "\\" | "?" | "#"
		];
		return fault(
			`origin-has-${what.split(" ").pop()}`,
			`the entry has ${what}; an origin is only scheme://host[:port]`,
			`use "${base}${rest.slice(0, slash)}"`,
		);
	}

	// Split host and port; an IPv6 literal keeps its colons inside brackets.
	let host: string;
	let port = "";
	if (rest.startsWith("[")) {
		const close = rest.indexOf("]");
		if (close < 0) return fault("host-ipv6", 'the IPv6 literal has no closing "]"');
		host = rest.slice(0, close + 1);
		rest = rest.slice(close + 1);
		if (rest !== "" && !rest.startsWith(":")) return fault("host-ipv6", `unexpected "${rest}" after the IPv6 literal`);
		port = rest.slice(1);
		if (rest === ":") return fault("origin-port", 'the entry ends in ":" with no port', `use "${base}${host}"`);
	} else {
		const colon = rest.lastIndexOf(":");
		host = colon < 0 ? rest : rest.slice(0, colon);
		if (colon >= 0) {
			port = rest.slice(colon + 1);
			if (port === "") return fault("origin-port", 'the entry ends in ":" with no port', `use "${base}${host}"`);
		}
	}
	const anyPort = port === "*";
	if (port !== "" && !anyPort) {
		if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535 || Number(port) === 0) {
			return fault(
				"origin-port",
				`port "${port}" is not a number from 1 to 65535`,
				port.includes("*") ? 'write ":*" for every port, or one port number' : undefined,
			);
		}
		if (port.startsWith("0"))
			return fault("origin-port", `port "${port}" has a leading zero`, `use port ${Number(port)}`);
		if (port === DEFAULT_PORT[scheme]) port = "";
	}
	const portPart = port === "" ? "" : `:${port}`;
	if (host === "") return fault("host-empty", "the entry has no host");

	if (host.includes("*")) {
		const star = host.indexOf("*");
		const firstDot = host.indexOf(".");
		if (host.indexOf("*", star + 1) >= 0) {
			return fault(
				"wildcard-count",
				'the host has more than one "*"; a pattern has one: a whole leftmost label ("*.example.com") or one inside it ("pr-*.example.com")',
				`keep one "*", as in "${base}*.example.com" or "${base}pr-*.example.com", or list the hosts`,
			);
		}
		if (firstDot < 0 || star > firstDot) {
			return fault(
				"wildcard-position",
				'a "*" in the host must be in its leftmost label, as in "https://*.example.com" or "https://pr-*.example.com"',
				'move the "*" into the leftmost label, or list the hosts',
			);
		}
		const domain = toAsciiHost(host.slice(firstDot + 1));
		if (domain === undefined) return fault("host-invalid", `"${host.slice(firstDot + 1)}" is not a valid host name`);
		const bad = checkLabels(domain);
		if (bad) return bad;
		const labels = domain.split(".");
		const shape = firstDot === 1 ? "*" : host.slice(0, firstDot);
		if (labels.length < 2) {
			return fault(
				firstDot === 1 ? "wildcard-too-broad" : "glob-too-broad",
				firstDot === 1
					? `"*.${domain}" would match every host under a top-level domain`
					: `"${shape}.${domain}" would match domains anyone can register under a top-level domain`,
				`list a registrable domain, such as "${base}${shape}.example.${domain}"`,
			);
		}
		if (isNumericLabel(labels[labels.length - 1] as string)) {
			return fault(
				"wildcard-ip",
				"a wildcard cannot stand in an IP address",
				'list each IP origin, or write one with ":*" for every port',
			);
		}
		const parent = `.${domain}${portPart}`;
		if (firstDot === 1) {
			const origin = `${base}*${parent}`;
			return anyPort
				? { kind: "any-port", wildcard: true, origin }
				: { kind: "wildcard", scheme, suffix: parent, origin };
		}
		const label = host.slice(0, firstDot).toLowerCase();
		const glob = checkGlobLabel(label);
		if (glob) return glob;
		return {
			kind: "glob",
			scheme,
			prefix: label.slice(0, star),
			labelSuffix: label.slice(star + 1),
			parent,
			origin: `${base}${label}${parent}`,
		};
	}

	let ascii: string | undefined;
	if (host.startsWith("[")) {
		ascii = toAsciiHost(host);
		if (ascii === undefined) return fault("host-ipv6", `"${host}" is not a valid IPv6 literal`);
	} else {
		ascii = toAsciiHost(host);
		if (ascii === undefined) return fault("host-invalid", `"${host}" is not a valid host name`);
		// The URL parser would rewrite "1.2" or "0x7f.1" into an IPv4 address; an entry must say what it means.
		const bad = checkLabels(ascii);
		if (bad) return bad;
		if (ascii !== host.toLowerCase() && /^\p{ASCII}*$/u.test(host)) {
			return fault(
				"host-invalid",
				`"${host}" is not a host name browsers send as written; it would be read as "${ascii}"`,
				`use "${base}${ascii}${portPart}"`,
			);
		}
	}
	const origin = `${base}${ascii}${portPart}`;
	// Whatever the entry says, it must be a key the request scanner can produce.
	if (canonicalOrigin(anyPort ? `${base}${ascii}` : origin) !== (anyPort ? `${base}${ascii}` : origin))
		return fault("origin-malformed", `"${raw}" is not a valid origin`);
	return anyPort ? { kind: "any-port", wildcard: false, origin } : { kind: "exact", origin };
}

export function describe(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
	return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
