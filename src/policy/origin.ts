// The serialized-origin grammar of the Fetch standard, scanned by hand: a URL parser
// would accept and "repair" paths, user-info, backslashes or `:0443` into an allowed
// origin, which is exactly the bypass a CORS layer must not have.

export const MAX_ORIGIN_LENGTH = 512;

/** Why a request's `Origin` value is not a serialized origin. */
export type OriginFault = "origin-empty" | "origin-too-long" | "origin-malformed";

// Character codes the scanner compares against (plain constants: erasable TypeScript only).
const HYPHEN = 45;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const COLON = 58;
const UPPER_A = 65;
const UPPER_F = 70;
const UPPER_Z = 90;
const L_BRACKET = 91;
const R_BRACKET = 93;
const UNDERSCORE = 95;
const LOWER_A = 97;
const LOWER_F = 102;
const LOWER_Z = 122;

export function isDigit(c: number): boolean {
	return c >= DIGIT_0 && c <= DIGIT_9;
}

function isUpper(c: number): boolean {
	return c >= UPPER_A && c <= UPPER_Z;
}

/** A byte allowed in a host name: letters, digits, `-`, `_` (docs/SPEC.md: hosts may contain `_`). */
export function isHostNameChar(c: number): boolean {
	return (c >= LOWER_A && c <= LOWER_Z) || isUpper(c) || isDigit(c) || c === HYPHEN || c === UNDERSCORE;
}

function isIpv6Char(c: number): boolean {
	return isDigit(c) || (c >= LOWER_A && c <= LOWER_F) || (c >= UPPER_A && c <= UPPER_F) || c === COLON || c === DOT;
}

export const DEFAULT_PORT: Readonly<Record<string, string>> = { http: "80", https: "443" };

/**
 * Scans a request's `Origin` value and returns its canonical key (lowercase scheme and
 * host, default port dropped), the string the matcher compares; `"null"` stays `"null"`.
 * Only `http` and `https` origins get a key: no allowlist entry can name another scheme,
 * so any other scheme is reported as malformed for this gateway.
 */
export function canonicalOrigin(value: string): string | OriginFault {
	const n = value.length;
	if (n === 0) return "origin-empty";
	if (n > MAX_ORIGIN_LENGTH) return "origin-too-long";
	if (value === "null") return "null";

	let i: number;
	let scheme: string;
	let lower = true;
	// Scheme, case-insensitively (RFC 3986), then "://".
	const c0 = value.charCodeAt(0) | 0x20;
	if (c0 !== 104 /* h */) return "origin-malformed";
	if (
		(value.charCodeAt(1) | 0x20) !== 116 ||
		(value.charCodeAt(2) | 0x20) !== 116 ||
		(value.charCodeAt(3) | 0x20) !== 112
	) {
		return "origin-malformed";
	}
	if ((value.charCodeAt(4) | 0x20) === 115 /* s */) {
		scheme = "https";
		i = 5;
	} else {
		scheme = "http";
		i = 4;
	}
	for (let k = 0; k < i; k++) if (isUpper(value.charCodeAt(k))) lower = false;
	if (value.charCodeAt(i) !== COLON || value.charCodeAt(i + 1) !== 47 || value.charCodeAt(i + 2) !== 47) {
		return "origin-malformed";
	}
	i += 3;

	// Host: a bracketed IPv6 literal, or dot-separated non-empty labels.
	const hostStart = i;
	if (value.charCodeAt(i) === L_BRACKET) {
		i++;
		while (i < n && isIpv6Char(value.charCodeAt(i))) {
			if (isUpper(value.charCodeAt(i))) lower = false;
			i++;
		}
		if (i === hostStart + 1 || value.charCodeAt(i) !== R_BRACKET) return "origin-malformed";
		i++;
	} else {
		let labelStart = i;
		while (i < n) {
			const c = value.charCodeAt(i);
			if (c === DOT) {
				if (i === labelStart) return "origin-malformed";
				labelStart = i + 1;
			} else if (isHostNameChar(c)) {
				if (isUpper(c)) lower = false;
			} else {
				break;
			}
			i++;
		}
		if (i === labelStart) return "origin-malformed"; // empty host or trailing dot
	}
	const hostEnd = i;

	// Optional port: 1 to 5 digits, no leading zero, at most 65535.
	let port = "";
	if (i < n) {
		if (value.charCodeAt(i) !== COLON) return "origin-malformed";
		const portStart = ++i;
		while (i < n && isDigit(value.charCodeAt(i))) i++;
		if (i !== n) return "origin-malformed";
		const digits = i - portStart;
		if (digits === 0 || digits > 5 || value.charCodeAt(portStart) === DIGIT_0) return "origin-malformed";
		port = value.slice(portStart);
		if (Number(port) > 65535) return "origin-malformed";
	}

	// Fast path: what browsers send is already canonical.
	if (lower && port !== DEFAULT_PORT[scheme]) return value;
	const host = value.slice(hostStart, hostEnd).toLowerCase();
	return port === "" || port === DEFAULT_PORT[scheme] ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

/** True when `canonicalOrigin` returned a key rather than a fault. */
export function isOriginKey(result: string): boolean {
	return result !== "origin-empty" && result !== "origin-too-long" && result !== "origin-malformed";
}
