// The single-pass scanner for entries already in canonical form (src/policy/canonical-entry.ts)
// accepts exactly what the fast path it replaced accepted (test/support/legacy-fast-path.ts),
// no more, and parseOriginEntry gives the same entry for it; everything else is left to the
// full parser, whose answers did not change.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalEntryKind } from "../../src/policy/canonical-entry.ts";
import { parseOriginEntry } from "../../src/policy/origin-entry.ts";
import { legacyFastEntry } from "../support/legacy-fast-path.ts";

const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 2000);

/** The scanner and the former fast path agree on `raw`, and so does the entry parsed from it. */
function expectSameAsBefore(raw: string): void {
	const before = legacyFastEntry(raw);
	expect(canonicalEntryKind(raw), JSON.stringify(raw)).toBe(before?.kind);
	if (before !== undefined) expect(parseOriginEntry(raw)).toEqual(before);
}

const label63 = "a".repeat(63);
/** A host of exactly `length` characters: 63-character labels, the last one cut short. */
function hostOf(length: number): string {
	const host = Array.from({ length: 4 }, () => label63)
		.join(".")
		.slice(0, length);
	return host.endsWith(".") ? `${host.slice(0, -2)}bb` : host;
}

describe("canonicalEntryKind: one row per rule", () => {
	it.each([
		["an https origin", "https://app.example.com", "exact"],
		["an http origin with a port", "http://localhost:5173", "exact"],
		["a wildcard", "https://*.example.com", "wildcard"],
		["a wildcard with a port", "http://*.example.com:8080", "wildcard"],
		["hosts may contain _", "https://my_app.example.com", "exact"],
		["a digit may start a label that is not the last", "https://1a.example.com", "exact"],
		["443 is not http's default port", "http://app.example.com:443", "exact"],
		["the highest port", "https://app.example.com:65535", "exact"],
		["a label of 63 characters", `https://${label63}.com`, "exact"],
		["a wildcard over a label of 63 characters", `https://*.${label63}.com`, "wildcard"],
		["a host of 253 characters", `https://${hostOf(253)}`, "exact"],
		["uppercase in the host", "https://App.example.com", undefined],
		["uppercase in the wildcard's domain", "https://*.Example.com", undefined],
		["uppercase in the scheme", "HTTPS://app.example.com", undefined],
		["uppercase s of https", "httpS://app.example.com", undefined],
		["https's default port", "https://app.example.com:443", undefined],
		["http's default port", "http://app.example.com:80", undefined],
		["a wildcard with the default port", "https://*.example.com:443", undefined],
		["a port with a leading zero", "https://app.example.com:080", undefined],
		["port 0", "https://app.example.com:0", undefined],
		["a port over 65535", "https://app.example.com:65536", undefined],
		["a port of six digits", "https://app.example.com:100000", undefined],
		["an empty port", "https://app.example.com:", undefined],
		["a port that is not a number", "https://app.example.com:8a", undefined],
		["an IPv6 literal", "http://[::1]", undefined],
		["an IPv4 address", "https://1.2.3.4", undefined],
		["a last label starting with a digit", "https://example.1a", undefined],
		["a wildcard under a top-level domain", "https://*.com", undefined],
		["a wildcard over an IP address", "https://*.1.2", undefined],
		["a wildcard whose last label starts with a digit", "https://*.example.1a", undefined],
		["a label of 64 characters", `https://${label63}a.com`, undefined],
		["a wildcard over a label of 64 characters", `https://*.${label63}a.com`, undefined],
		["a host of 254 characters", `https://${hostOf(254)}`, undefined],
		["an empty label", "https://app..example.com", undefined],
		["a trailing dot", "https://app.example.com.", undefined],
		["a leading dot", "https://.example.com", undefined],
		["no host", "https://", undefined],
		["a wildcard with no domain", "https://*.", undefined],
		["two wildcards", "https://*.*.example.com", undefined],
		["a wildcard inside a label", "https://*a.example.com", undefined],
		["a path", "https://app.example.com/", undefined],
		["user-info", "https://user@app.example.com", undefined],
		["leading whitespace", " https://app.example.com", undefined],
		["a non-ASCII host", "https://bücher.example", undefined],
		["another scheme", "ftp://app.example.com", undefined],
		["no scheme", "app.example.com", undefined],
		['"null", the opaque origin', "null", undefined],
		['"*", any origin', "*", undefined],
	])("%s: %s", (_rule, raw, kind) => {
		expect(canonicalEntryKind(raw)).toBe(kind);
		expectSameAsBefore(raw);
	});
});

// --- generators: entries near the canonical form, and mutations of them -------------------

const shortLabel = fc.string({
	unit: fc.constantFrom("a", "z", "0", "9", "-", "_", "A", "Z", "*", "é", "%", " "),
	minLength: 0,
	maxLength: 4,
});
const letterLabel = fc.string({ unit: fc.constantFrom("a", "b", "x"), minLength: 1, maxLength: 3 });
const longLabel = fc.integer({ min: 62, max: 65 }).map((n) => "b".repeat(n));
const label = fc.oneof({ weight: 12, arbitrary: letterLabel }, shortLabel, longLabel);
const host = fc.oneof(
	{ weight: 6, arbitrary: fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join(".")) },
	fc.integer({ min: 248, max: 258 }).map(hostOf),
);
const nearEntry = fc
	.record({
		scheme: fc.oneof(
			{ weight: 8, arbitrary: fc.constantFrom("https://", "http://") },
			fc.constantFrom("HTTPS://", "Http://", "httpS://", "https:/", "https:///", "ftp://", "", "http//"),
		),
		wildcard: fc.oneof(
			{ weight: 6, arbitrary: fc.constantFrom("", "*.") },
			fc.constantFrom("*", "**.", "*.*.", ".*.", "*-."),
		),
		host,
		port: fc.oneof(
			{ weight: 6, arbitrary: fc.constant("") },
			fc.constantFrom(":", ":0", ":1", ":80", ":443", ":080", ":0443", ":8443", ":65535", ":65536", ":123456", ":1a"),
			fc.nat(70_000).map((n) => `:${n}`),
		),
		tail: fc.oneof({ weight: 6, arbitrary: fc.constant("") }, fc.constantFrom("/", ".", "?", "#", " ", "\n", "@x")),
	})
	.map((e) => `${e.scheme}${e.wildcard}${e.host}${e.port}${e.tail}`);

const edits = fc.array(
	fc.record({
		at: fc.nat(300),
		remove: fc.nat(2),
		insert: fc.string({
			unit: fc.constantFrom(
				"A",
				"a",
				"0",
				"5",
				".",
				":",
				"/",
				"*",
				"-",
				"_",
				"[",
				"]",
				"@",
				"é",
				" ",
				"\t",
				"\0",
				"K",
				"İ",
			),
			maxLength: 2,
		}),
	}),
	{ minLength: 1, maxLength: 3 },
);
const mutated = fc.tuple(nearEntry, edits).map(([raw, list]) =>
	list.reduce((s, e) => {
		const at = e.at % (s.length + 1);
		return s.slice(0, at) + e.insert + s.slice(at + e.remove);
	}, raw),
);

describe("canonicalEntryKind accepts exactly what the former fast path accepted", () => {
	it("on entries near the canonical form", () => {
		fc.assert(fc.property(nearEntry, expectSameAsBefore), { numRuns: RUNS });
	});

	it("on those entries mutated: characters inserted, replaced and removed anywhere", () => {
		fc.assert(fc.property(mutated, expectSameAsBefore), { numRuns: RUNS });
	});

	it("on arbitrary strings", () => {
		fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), expectSameAsBefore), { numRuns: RUNS });
	});

	it("the generators reach both answers often", () => {
		const kinds = fc.sample(fc.oneof(nearEntry, mutated), { numRuns: 2000, seed: 1 }).map(canonicalEntryKind);
		expect(kinds.filter((k) => k === "exact").length).toBeGreaterThan(200);
		expect(kinds.filter((k) => k === "wildcard").length).toBeGreaterThan(50);
		expect(kinds.filter((k) => k === undefined).length).toBeGreaterThan(500);
	});
});

describe("canonicalEntryKind: the scheme and separators, letter by letter", () => {
	it.each([
		["a first letter that is not h", "jttp://app.example.com"],
		["a second letter that is not t", "hxtp://app.example.com"],
		["a third letter that is not t", "htxp://app.example.com"],
		["a fourth letter that is not p", "httx://app.example.com"],
		["no colon after the scheme", "https//app.example.com"],
		["one slash after the scheme", "https:/app.example.com"],
		["no slash after the scheme", "https:app.example.com"],
		["a port after another separator", "https://app.example.com;8080"],
		["a last label of 64 characters after shorter ones", `https://a.${"b".repeat(64)}`],
	])("%s: %s is not canonical", (_rule, raw) => {
		expect(canonicalEntryKind(raw)).toBeUndefined();
	});
});
