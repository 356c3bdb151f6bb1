// The hash set behind OriginMatcher (src/policy/entry-set.ts): it answers as a Set of the
// same strings would, whatever the hashes, the probing and the regrowth do underneath.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EntrySet } from "../../src/policy/entry-set.ts";

const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 2000);
/** FNV-1a's own offset basis: from it, "costarring" and "liquid" have the same hash. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** A hash state that hashing ":" leaves as it is (found by solving for it bit by bit). */
const STILL_UNDER_COLON = 1841528985;

/** FNV-1a of `text` from `seed`, as the set hashes an entry. */
function hashFrom(seed: number, text: string): number {
	let h = seed;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
	return h;
}

/** The seed from which hashing `text` reaches the state `h`: FNV-1a's steps run backwards. */
function seedReaching(h: number, text: string): number {
	let inverse = FNV_PRIME; // of FNV_PRIME modulo 2^32, by Newton's iteration
	for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(FNV_PRIME, inverse));
	let state = h;
	for (let i = text.length - 1; i >= 0; i--) state = Math.imul(state, inverse) ^ text.charCodeAt(i);
	return state;
}

describe("EntrySet", () => {
	it("adds a member once: a repeat is refused", () => {
		const set = new EntrySet();
		expect(set.add("https://app.example.com")).toBe(true);
		expect(set.add("https://app.example.com")).toBe(false);
		expect(set.add("https://app.example.co")).toBe(true);
		expect(set.size).toBe(2);
	});

	it.each([
		["the member itself", "https://app.example.com", 0, "", "https://app.example.com"],
		["another string with the same text", ["https://app", ".example.com"].join(""), 0, "", "https://app.example.com"],
		["a prefix followed by the rest of a key", "https://a.b.example.com", 9, "https://*", "https://*.b.example.com"],
		["the same, one label further", "https://a.b.example.com", 11, "https://*", "https://*.example.com"],
		["a suffix with a port", "https://x.tenant.example:8443", 9, "https://*", "https://*.tenant.example:8443"],
		["a last character differs", "https://app.example.con", 0, "", undefined],
		["a first character differs", "http://app.example.com", 0, "", undefined],
		["one character longer", "https://app.example.comm", 0, "", undefined],
		["one character shorter", "https://app.example.co", 0, "", undefined],
		["another prefix", "http://a.b.example.com", 8, "http://*", undefined],
		["the suffix without its port", "https://x.tenant.example", 9, "https://*", undefined],
		["a suffix with another port", "https://x.tenant.example:9443", 9, "https://*", undefined],
		["the prefix alone", "https://a.b.example.com", 23, "https://*", undefined],
		["the empty string", "", 0, "", undefined],
	])("find: %s", (_rule, key, from, prefix, found) => {
		const set = new EntrySet(4);
		for (const m of [
			"https://app.example.com",
			"https://*.b.example.com",
			"https://*.example.com",
			"https://*.tenant.example:8443",
		])
			set.add(m);
		expect(set.find(key, from, prefix)).toBe(found);
	});

	it("members whose hashes are equal stay apart, each found as itself", () => {
		const set = new EntrySet(0, FNV_OFFSET);
		expect(set.add("costarring")).toBe(true);
		expect(set.add("liquid")).toBe(true);
		expect(set.add("liquid")).toBe(false);
		expect(set.find("liquid")).toBe("liquid");
		expect(set.find("costarring")).toBe("costarring");
		expect(set.find("xliquid", 1)).toBe("liquid");
		expect(set.find("costarrinG")).toBe(undefined);
	});

	it("a member one character longer than what is looked up, with the same hash, is not found", () => {
		expect(Math.imul(STILL_UNDER_COLON ^ 58 /* : */, FNV_PRIME)).toBe(STILL_UNDER_COLON);
		const set = new EntrySet(0, seedReaching(STILL_UNDER_COLON, "https://*.example.com"));
		expect(set.add("https://*.example.com:")).toBe(true);
		expect(set.find("https://app.example.com", 11, "https://*")).toBe(undefined);
		expect(set.find("https://*.example.com")).toBe(undefined);
		expect(set.add("https://*.example.com")).toBe(true);
		expect(set.find("https://app.example.com", 11, "https://*")).toBe("https://*.example.com");
	});

	it("a member with the same hash and length as the entry looked up, but other letters, is not found", () => {
		// From FNV-1a's offset basis these two hash alike (found by a birthday search over five letters).
		const [member, other] = ["https://*.jaczf.example.com", "https://*.tlbpp.example.com"];
		expect(hashFrom(FNV_OFFSET, member)).toBe(hashFrom(FNV_OFFSET, other));
		const set = new EntrySet(0, FNV_OFFSET);
		expect(set.add(member)).toBe(true);
		expect(set.find("https://pr.tlbpp.example.com", 10, "https://*")).toBe(undefined);
		expect(set.add(other)).toBe(true);
		expect(set.find("https://pr.tlbpp.example.com", 10, "https://*")).toBe(other);
		expect(set.find("https://pr.jaczf.example.com", 10, "https://*")).toBe(member);
	});

	it("grows past the size it was made for, and keeps every member", () => {
		const set = new EntrySet(1);
		const members = Array.from({ length: 10_000 }, (_, i) => `https://app.customer-${i}.com`);
		for (const m of members) expect(set.add(m)).toBe(true);
		for (const m of members) expect(set.add(m)).toBe(false);
		expect(set.size).toBe(members.length);
		expect(members.every((m) => set.find(m) === m)).toBe(true);
		expect(set.find("https://app.customer-10000.com")).toBe(undefined);
	});

	it("answers as a Set of the same strings, on any sequence of adds and lookups", () => {
		const text = fc.string({ unit: fc.constantFrom("a", "b", ".", "*"), maxLength: 5 });
		const op = fc.oneof(
			fc.record({ add: text }),
			fc
				.record({ find: text, from: fc.nat(5), prefix: fc.constantFrom("", "a", "*.", "ab") })
				.map((o) => ({ ...o, from: Math.min(o.from, o.find.length) })),
		);
		fc.assert(
			fc.property(fc.nat(20), fc.integer(), fc.array(op, { maxLength: 60 }), (expected, seed, ops) => {
				const set = new EntrySet(expected, seed);
				const model = new Set<string>();
				for (const o of ops) {
					if ("add" in o) {
						expect(set.add(o.add)).toBe(!model.has(o.add));
						model.add(o.add);
					} else {
						const joined = o.prefix + o.find.slice(o.from);
						expect(set.find(o.find, o.from, o.prefix)).toBe(model.has(joined) ? joined : undefined);
					}
				}
				expect(set.size).toBe(model.size);
			}),
			{ numRuns: RUNS },
		);
	});
});
