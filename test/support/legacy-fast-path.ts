// The oracle of test/policy/canonical-entry.test.ts: the fast path of parseOriginEntry as
// it was before the single-pass scanner (src/policy/canonical-entry.ts) replaced it, kept
// verbatim apart from checkLabels reduced to a yes/no. The scanner must accept exactly
// what this accepted, and give the same entry.
import { canonicalOrigin, isHostNameChar } from "../../src/policy/origin.ts";
import type { OriginEntry } from "../../src/policy/origin-entry.ts";

function labelsFine(host: string): boolean {
	if (host.length > 253) return false;
	for (const label of host.split(".")) {
		if (label === "" || label.length > 63) return false;
		for (let i = 0; i < label.length; i++) if (!isHostNameChar(label.charCodeAt(i))) return false;
	}
	return true;
}

function isDigitStart(label: string): boolean {
	const c = label.charCodeAt(0);
	return c >= 48 && c <= 57;
}

function legacyFastPath(raw: string): OriginEntry | undefined {
	const wild = raw.startsWith("https://*.") ? 8 : raw.startsWith("http://*.") ? 7 : 0;
	const probe = wild === 0 ? raw : raw.slice(0, wild) + raw.slice(wild + 2);
	if (canonicalOrigin(probe) !== probe) return undefined;
	const hostStart = wild === 0 ? raw.indexOf("://") + 3 : wild;
	if (probe.charCodeAt(hostStart) === 91 /* [ */) return undefined;
	const colon = probe.indexOf(":", hostStart);
	const host = colon < 0 ? probe.slice(hostStart) : probe.slice(hostStart, colon);
	const last = host.slice(host.lastIndexOf(".") + 1);
	if (isDigitStart(last) || !labelsFine(host)) return undefined;
	if (wild === 0) return { kind: "exact", origin: raw };
	if (host.indexOf(".") < 0) return undefined;
	return { kind: "wildcard", scheme: wild === 8 ? "https" : "http", suffix: raw.slice(wild + 1), origin: raw };
}

/** What parseOriginEntry answered from its fast path: its earlier checks, then the fast path. */
export function legacyFastEntry(raw: string): OriginEntry | undefined {
	if (raw === "*" || raw === "null" || raw === "" || /\s/.test(raw) || raw.toLowerCase() === "null") return undefined;
	return legacyFastPath(raw);
}
