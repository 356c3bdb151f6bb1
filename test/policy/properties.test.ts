// Property-based tests of the policy core against the reference model of docs/SPEC.md
// (test/support/spec-model.ts): on generated allowlists, origins, methods and requested headers,
// including hostile bytes and enormous values, the compiled policy approves exactly what
// the model approves, never throws, and never puts anything but the request's own Origin
// (or "*") in Access-Control-Allow-Origin.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CorsRequest, compileAllowlist, type Decision } from "../../src/policy/index.ts";
import {
	refAllowedOrigin,
	refHeadersApproved,
	refMethodApproved,
	refParseOrigin,
	refRouteFor,
	refRouteKey,
	SAFELISTED_HEADERS,
} from "../support/spec-model.ts";

const SELF = "https://self.gateway.test"; // outside the generated alphabet: never generated
/** Where the requests go: the generated allowlists have no routes, so the top level decides. */
const TOP = { host: "self.gateway.test", path: "/" };

/** A GET from `origin` at the top level: what most properties decide. */
function getFrom(origin: string | null): CorsRequest {
	return { method: "GET", origin, requestMethod: null, requestHeaders: null, selfOrigin: SELF, ...TOP };
}
const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 2000);

// --- generators -----------------------------------------------------------------------

// A small alphabet makes generated origins collide with generated entries often.
const label = fc.string({ unit: fc.constantFrom("a", "b", "c", "0", "1", "-", "_"), minLength: 1, maxLength: 3 });
// The top-level label is letters only: "a.1" would be an IPv4 address to a URL parser.
const tld = fc.string({ unit: fc.constantFrom("a", "b", "c"), minLength: 1, maxLength: 2 });
const scheme = fc.constantFrom("http", "https");
const port = fc.oneof(fc.constant(""), fc.constantFrom("8443", "5173", "80", "443"));
/** An entry's port: one of those, or "*" for every port (docs/SPEC.md "Origin patterns"). */
const entryPort = fc.oneof({ weight: 4, arbitrary: port }, { weight: 1, arbitrary: fc.constant("*") });
const globPart = fc.string({ unit: fc.constantFrom("a", "b", "0", "-", "_"), maxLength: 2 });

interface GenEntry {
	/** As written in the document: random case, maybe the default port spelled out. */
	raw: string;
	/** What docs/SPEC.md says it means: lowercase, no default port. */
	canonical: string;
	scheme: string;
	/** The domain's labels: after "*." or the glob's label, or the whole host. */
	labels: string[];
	/** "", a port, or "*". */
	port: string;
	wildcard: boolean;
	/** A label glob's literal parts, around its "*". */
	glob?: { pre: string; suf: string };
}

function randomCase(s: string, flips: number[]): string {
	return [...s].map((ch, i) => (flips.includes(i) ? ch.toUpperCase() : ch)).join("");
}

const entry: fc.Arbitrary<GenEntry> = fc
	.record({
		scheme,
		labels: fc.array(label, { minLength: 0, maxLength: 2 }),
		tld,
		port: entryPort,
		shape: fc.constantFrom("exact", "exact", "wildcard", "glob"),
		glob: fc.record({ pre: globPart, suf: globPart }).filter((g) => g.pre.length + g.suf.length > 0),
		spellDefaultPort: fc.boolean(),
		flips: fc.array(fc.nat(40), { maxLength: 4 }),
	})
	.filter((e) => e.shape === "exact" || e.labels.length >= 1) // "*.tld", "pr-*.tld" are too broad
	.map((e) => {
		const labels = [...e.labels, e.tld];
		const defaultPort = e.scheme === "https" ? "443" : "80";
		const canonicalPort = e.port === defaultPort ? "" : e.port;
		const first = e.shape === "wildcard" ? "*." : e.shape === "glob" ? `${e.glob.pre}*${e.glob.suf}.` : "";
		const host = `${first}${labels.join(".")}`;
		const canonical = `${e.scheme}://${host}${canonicalPort ? `:${canonicalPort}` : ""}`;
		const writtenPort = canonicalPort || (e.spellDefaultPort ? defaultPort : "");
		const raw = randomCase(`${e.scheme}://${host}${writtenPort ? `:${writtenPort}` : ""}`, e.flips);
		return {
			raw,
			canonical,
			scheme: e.scheme,
			labels,
			port: canonicalPort,
			wildcard: e.shape === "wildcard",
			...(e.shape === "glob" ? { glob: e.glob } : {}),
		};
	});

const entries = fc.array(
	fc.oneof(
		{ weight: 10, arbitrary: entry },
		{ weight: 1, arbitrary: fc.constant("*" as const) },
		{ weight: 1, arbitrary: fc.constant("null" as const) },
	),
	{ minLength: 0, maxLength: 6 },
);

/** Bytes that matter to origin parsing, plus ones that never should. */
const hostileChar = fc.constantFrom(
	..."htps:/.[]*@%`_-abc01:\\ \t,?#;=!~$&'()+{}|<>\"^\u0000\u000b\r\n\u007f\u00a0é\u0130\uff0e\u3002",
);

/** Origins near the entries: exact, re-cased, default port, subdomains, apex, look-alikes, junk appended. */
function nearOrigin(e: GenEntry): fc.Arbitrary<string> {
	const domain = e.labels.join(".");
	// A pattern stands for many hosts and ports: pick one of each, or near one.
	const hostOf = e.glob
		? fc
				.string({ unit: fc.constantFrom("a", "b", "0", "-", "_", ".", "A"), maxLength: 3 })
				.map((fill) => `${e.glob?.pre}${fill}${e.glob?.suf}.${domain}`)
		: fc.constant(domain);
	const portOf = e.port === "*" ? fc.constantFrom("", "5173", "8443", "65535") : fc.constant(e.port);
	const other = e.scheme === "https" ? "http" : "https";
	return fc.tuple(hostOf, portOf).chain(([host, p]) => {
		const base = `${e.scheme}://${host}`;
		const withPort = p ? `${base}:${p}` : base;
		return fc.oneof(
			fc.constant(withPort),
			fc.array(fc.nat(40), { maxLength: 4 }).map((flips) => randomCase(withPort, flips)),
			fc.constant(`${base}:${e.scheme === "https" ? "443" : "80"}`),
			fc.constant(`${other}://${host}${p ? `:${p}` : ""}`),
			fc
				.array(label, { minLength: 1, maxLength: 2 })
				.map((sub) => `${e.scheme}://${sub.join(".")}.${host}${p ? `:${p}` : ""}`),
			fc.constant(`${e.scheme}://${e.labels.slice(1).join(".")}${p ? `:${p}` : ""}`),
			fc.tuple(hostileChar, fc.boolean()).map(([c, front]) => (front ? `${c}${withPort}` : `${withPort}${c}`)),
			fc.tuple(hostileChar, label).map(([c, l]) => `${withPort}${c}${l}.${host}`),
			fc.constantFrom(":8443", ":5173", ":0443", ":", ":65536", ":1", ":*").map((q) => `${base}${q}`),
			fc.constant(`${withPort}, ${withPort}`), // two Origin headers, joined by the runtime
		);
	});
}

const anyOrigin = fc.oneof(
	fc.string({ unit: hostileChar, maxLength: 40 }),
	fc.string({ unit: "binary", maxLength: 40 }),
	fc.constantFrom("null", "NULL", "", " null", "null "),
	fc.string({ unit: fc.constantFrom("a", "."), minLength: 500, maxLength: 600 }).map((s) => `https://${s}`),
);

const scenario = entries.chain((list) => {
	const concrete = list.filter((e): e is GenEntry => typeof e === "object");
	const origin =
		concrete.length === 0 ? anyOrigin : fc.oneof(fc.constantFrom(...concrete).chain(nearOrigin), anyOrigin);
	return fc.record({ list: fc.constant(list), origin });
});

function compile(list: readonly (GenEntry | "*" | "null")[], extra: Record<string, unknown> = {}) {
	const doc = { origins: list.map((e) => (typeof e === "string" ? e : e.raw)), ...extra };
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(`the generator made an invalid document: ${JSON.stringify(result.problems)}`);
	return { policy: result.policy, canonical: list.map((e) => (typeof e === "string" ? e : e.canonical)) };
}

function acao(d: Decision): string | undefined {
	return d.headers.find(([n]) => n === "Access-Control-Allow-Origin")?.[1];
}

/** Whatever the decision, no header widens access beyond the reference's answer. */
function expectConsistent(d: Decision, origin: string, allowed: boolean, star: boolean): void {
	if (!allowed) {
		expect(d.action).toBe("refuse");
		expect(d.headers.every(([n]) => n === "Vary")).toBe(true);
		return;
	}
	expect(d.action).not.toBe("refuse");
	expect(acao(d)).toBe(star ? "*" : origin);
}

// --- properties -----------------------------------------------------------------------

describe("the matcher agrees with the reference model of docs/SPEC.md", () => {
	it("on generated allowlists and origins near their entries (actual requests)", () => {
		fc.assert(
			fc.property(scenario, ({ list, origin }) => {
				const { policy, canonical } = compile(list);
				const allowed = refAllowedOrigin(canonical, origin);
				const d = policy.decide(getFrom(origin));
				expectConsistent(d, origin, allowed, list.includes("*"));
			}),
			{ numRuns: RUNS },
		);
	});

	it("the reference and the scanner accept the same Origin values", () => {
		// Catches a grammar drift in either direction; "*" would otherwise hide it ("null"
		// listed too, as "*" alone refuses the grammatical "null").
		fc.assert(
			fc.property(scenario, ({ origin }) => {
				const { policy } = compile(["*", "null"]);
				const d = policy.decide(getFrom(origin));
				expect(d.action === "forward").toBe(refParseOrigin(origin) !== undefined);
			}),
			{ numRuns: RUNS },
		);
	});
});

const listedHeaders = ["x-custom", "authorization"];
const listedMethods = ["PUT", "DELETE", "PROPFIND"];

const headerName = fc.oneof(
	fc.constantFrom(
		...SAFELISTED_HEADERS,
		...listedHeaders,
		"X-Custom",
		"AUTHORIZATION",
		"x-other",
		"cookie",
		"x-custom2",
	),
	fc.string({ unit: hostileChar, minLength: 1, maxLength: 8 }),
);
const separator = fc.constantFrom(",", ", ", " ,", ",,", "\t,", ", \t ", ";", " ", "\u0000", "\n");
const requestHeaders = fc.oneof(
	fc.array(fc.tuple(headerName, separator), { maxLength: 6 }).map((items) => items.map(([n, s]) => n + s).join("")),
	fc.string({ unit: fc.constantFrom(",", " ", "\t"), maxLength: 5000 }), // commas and blanks, up to past 4 KiB
	fc.array(fc.constantFrom("x-custom", "content-type"), { minLength: 300, maxLength: 500 }).map((l) => l.join(",")),
	fc.string({ unit: "binary", maxLength: 30 }),
);
const requestMethod = fc.oneof(
	fc.constantFrom("GET", "HEAD", "POST", "PUT", "put", "DELETE", "PATCH", "PROPFIND", "CONNECT", "TRACE", "", " PUT"),
	fc.string({ unit: hostileChar, maxLength: 10 }),
	fc.string({ unit: "binary", maxLength: 2000 }),
);

describe("preflights approve exactly what the model approves", () => {
	it("origin, method and every requested header must all pass", () => {
		fc.assert(
			fc.property(
				scenario,
				requestMethod,
				fc.option(requestHeaders, { nil: null }),
				({ list, origin }, method, headers) => {
					const { policy, canonical } = compile(list, { methods: listedMethods, headers: listedHeaders });
					const allowed =
						refAllowedOrigin(canonical, origin) &&
						refMethodApproved(method, listedMethods) &&
						(headers === null || refHeadersApproved(headers, listedHeaders));
					const d = policy.decide({
						method: "OPTIONS",
						origin,
						requestMethod: method,
						requestHeaders: headers,
						selfOrigin: SELF,
						...TOP,
					});
					expectConsistent(d, origin, allowed, list.includes("*"));
					if (allowed) expect(d.action).toBe("preflight");
				},
			),
			{ numRuns: RUNS },
		);
	});
});

describe("arbitrary input never throws and never approves what the model refuses", () => {
	const field = fc.oneof(
		fc.constant(null),
		fc.string({ unit: "binary", maxLength: 100 }),
		fc.string({ unit: hostileChar, maxLength: 100 }),
		fc.string({ unit: fc.constantFrom(",", "a", " "), minLength: 4000, maxLength: 70_000 }),
	);
	it("every field random, enormous values included", () => {
		const { policy, canonical } = compile(
			[
				{ raw: "https://app.example.com", canonical: "https://app.example.com" },
				{ raw: "https://*.example.com", canonical: "https://*.example.com" },
			] as GenEntry[],
			{ methods: listedMethods, headers: listedHeaders },
		);
		fc.assert(
			fc.property(
				fc.constantFrom("GET", "OPTIONS", "POST", "PUT"),
				field,
				field,
				field,
				(method, origin, requestMethod, requestHeaders) => {
					const d = policy.decide({ method, origin, requestMethod, requestHeaders, selfOrigin: SELF, ...TOP });
					if (origin === null) {
						expect(d).toMatchObject({ action: "forward", cors: false, headers: [] });
						return;
					}
					const preflight = method === "OPTIONS" && requestMethod !== null;
					const allowed =
						refAllowedOrigin(canonical, origin) &&
						(!preflight ||
							(refMethodApproved(requestMethod, listedMethods) &&
								(requestHeaders === null || refHeadersApproved(requestHeaders, listedHeaders))));
					expectConsistent(d, origin, allowed, false);
				},
			),
			{ numRuns: RUNS },
		);
	});
});

describe("routes: the route that decides is the one the model picks by scanning every key", () => {
	const segment = fc.constantFrom("x", "y", "xy", "X");
	const routeKey = fc
		.record({
			host: fc.constantFrom(null, "a.test", "B.test"),
			segments: fc.array(segment, { maxLength: 3 }),
			trailing: fc.boolean(),
		})
		.map(({ host, segments, trailing }) => {
			const path = segments.length === 0 ? "/" : `/${segments.join("/")}${trailing ? "/" : ""}`;
			return `${host ?? ""}${path}`;
		});
	const TOP_ORIGIN = "https://top.example.com";
	const ROUTE_ORIGIN = "https://route.example.com";
	// Distinct after normalization (a repeated route is a document error, tested elsewhere).
	const routes = fc.uniqueArray(fc.tuple(routeKey, fc.nat(2)), {
		maxLength: 8,
		selector: ([raw]) => {
			const { host, prefix } = refRouteKey(raw);
			return `${host}|${prefix}`;
		},
	});
	const url = fc
		.record({
			host: fc.constantFrom("a.test", "A.TEST", "b.test", "c.test", "a.test:8443"),
			segments: fc.array(fc.oneof(segment, fc.constantFrom("xx", "", "%2F", "..")), { maxLength: 5 }),
			query: fc.constantFrom("", "?q=/x/y", "#/x"),
		})
		.map(({ host, segments, query }) => `https://${host}/${segments.join("/")}${query}`);

	it("host first, then the longest prefix at a / boundary; the route's own origins or the top level's", () => {
		fc.assert(
			fc.property(routes, url, fc.constantFrom(TOP_ORIGIN, ROUTE_ORIGIN), (list, target, origin) => {
				// Each route: 0 inherits the top level's origins, 1 lists its own, 2 lists none.
				const own = [undefined, [ROUTE_ORIGIN], []];
				const doc = {
					origins: [TOP_ORIGIN],
					routes: Object.fromEntries(list.map(([raw, kind]) => [raw, own[kind] ? { origins: own[kind] } : {}])),
				};
				const result = compileAllowlist(doc, { warnings: false });
				if (!result.ok) throw new Error(`the generator made an invalid document: ${JSON.stringify(result.problems)}`);
				const u = new URL(target);
				const d = result.policy.decide({
					method: "GET",
					origin,
					requestMethod: null,
					requestHeaders: null,
					selfOrigin: SELF,
					host: u.hostname,
					path: u.pathname,
				});
				const chosen = refRouteFor(
					list.map(([raw]) => raw),
					target,
				);
				const origins = chosen < 0 ? [TOP_ORIGIN] : (own[(list[chosen] as [string, number])[1]] ?? [TOP_ORIGIN]);
				if (chosen < 0) expect(d.route).toBeNull();
				else {
					const { host, prefix } = refRouteKey((list[chosen] as [string, number])[0]);
					expect(d.route).toBe(`${host ?? ""}${prefix}`);
				}
				expectConsistent(d, origin, refAllowedOrigin(origins, origin), false);
			}),
			{ numRuns: RUNS },
		);
	});
});
