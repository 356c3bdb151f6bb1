// Recognizes `origins` entries already in canonical form (what the command line writes, and
// nearly every entry of a large document) in one pass, without allocating, so validating
// 100,000 entries costs little more than reading them. Anything else goes to the full
// parser in origin-entry.ts, which normalizes it or says precisely what is wrong.
import { isDigit } from "./origin.ts";

export const MAX_HOST_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
const MAX_PORT = 65535;

const OTHER = 0;
const LABEL = 1;
const DOT = 2;
/** Per ASCII code: LABEL for lowercase letters, digits, `-` and `_` (a canonical host has no uppercase), DOT, or OTHER. */
const HOST_CHAR = new Uint8Array(128);
HOST_CHAR.fill(LABEL, 97, 123); // a-z
HOST_CHAR.fill(LABEL, 48, 58); // 0-9
HOST_CHAR[45 /* - */] = LABEL;
HOST_CHAR[95 /* _ */] = LABEL;
HOST_CHAR[46 /* . */] = DOT;

/**
 * `"exact"` or `"wildcard"` when `raw` is a canonical entry, as is; undefined otherwise.
 * Canonical: `https://` or `http://`, then `*.` for a wildcard, a host of labels of
 * `[a-z0-9_-]{1,63}` (at most 253 characters, two labels or more after `*.`, the last not
 * starting with a digit: never an IP address), then an optional port from 1 to 65535 with
 * no leading zero that is not the scheme's default.
 */
export function canonicalEntryKind(raw: string): "exact" | "wildcard" | undefined {
	const n = raw.length;
	// Past the end charCodeAt gives NaN, which every comparison below refuses.
	if (raw.charCodeAt(0) !== 104 || raw.charCodeAt(1) !== 116 || raw.charCodeAt(2) !== 116 || raw.charCodeAt(3) !== 112)
		return undefined; // "http"
	const https = raw.charCodeAt(4) === 115; /* s */
	let i = https ? 5 : 4;
	if (raw.charCodeAt(i) !== 58 || raw.charCodeAt(i + 1) !== 47 || raw.charCodeAt(i + 2) !== 47) return undefined; // "://"
	i += 3;
	const wildcard = raw.charCodeAt(i) === 42 /* * */ && raw.charCodeAt(i + 1) === 46; /* . */
	if (wildcard) i += 2;

	const hostStart = i;
	let labelStart = i;
	let labels = 1;
	for (; i < n; i++) {
		const c = raw.charCodeAt(i);
		const kind = c < 128 ? HOST_CHAR[c] : OTHER;
		if (kind === DOT) {
			if (i === labelStart || i - labelStart > MAX_LABEL_LENGTH) return undefined;
			labelStart = i + 1;
			labels++;
		} else if (kind !== LABEL) {
			break;
		}
	}
	if (i === labelStart || i - labelStart > MAX_LABEL_LENGTH || i - hostStart > MAX_HOST_LENGTH) return undefined;
	if (isDigit(raw.charCodeAt(labelStart)) || (wildcard && labels < 2)) return undefined;

	if (i < n) {
		if (raw.charCodeAt(i) !== 58 /* : */ || raw.charCodeAt(i + 1) === 48 /* 0 */ || i + 1 === n) return undefined;
		let port = 0;
		for (i++; i < n; i++) {
			const c = raw.charCodeAt(i);
			if (!isDigit(c)) return undefined;
			port = port * 10 + (c - 48);
			if (port > MAX_PORT) return undefined;
		}
		if (port === (https ? 443 : 80)) return undefined;
	}
	return wildcard ? "wildcard" : "exact";
}
