// `Access-Control-Request-Headers` in one bounded pass, no regex: a hostile 4 KiB value
// of commas costs the same as an honest one.
import { isOws, isTokenChar } from "./header-names.ts";

export const MAX_REQUEST_HEADERS_LENGTH = 4096;

export type HeaderFault =
	| { reason: "request-headers-too-long" }
	| { reason: "request-headers-malformed"; header: string }
	| { reason: "header-not-allowed"; header: string };

/** Undefined when every requested name is in `allowed` (lowercase names). */
export function checkRequestHeaders(value: string, allowed: ReadonlySet<string>): HeaderFault | undefined {
	const n = value.length;
	if (n > MAX_REQUEST_HEADERS_LENGTH) return { reason: "request-headers-too-long" };
	let i = 0;
	while (i < n) {
		// Skip separators and optional whitespace; empty items are tolerated.
		const c = value.charCodeAt(i);
		if (c === 44 || isOws(c)) {
			i++;
			continue;
		}
		const start = i;
		while (i < n && isTokenChar(value.charCodeAt(i))) i++;
		const end = i;
		while (i < n && isOws(value.charCodeAt(i))) i++;
		if (i < n && value.charCodeAt(i) !== 44) {
			return { reason: "request-headers-malformed", header: value.slice(start, Math.min(n, i + 1)) };
		}
		const name = value.slice(start, end).toLowerCase();
		if (!allowed.has(name)) return { reason: "header-not-allowed", header: name };
	}
	return undefined;
}
