// docs/SPEC.md "Origin patterns": any port (`:*`) and label globs (`pr-*.example.com`),
// one row per rule: what each admits and refuses, how it is written, every malformed form,
// the warnings, and where a sharded document keeps them.
import { describe, expect, it } from "vitest";
import { validateAllowlist } from "../../src/policy/document.ts";
import {
	type CorsPolicy,
	compileAllowlist,
	formatProblem,
	isShardable,
	parseOriginEntry,
} from "../../src/policy/index.ts";

function policyOf(origins: string[], extra: object = {}): CorsPolicy {
	const result = compileAllowlist({ origins, ...extra });
	if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
	return result.policy;
}

/** The entry that admits `origin` for a plain GET, or null when it is refused. */
function admittedBy(policy: CorsPolicy, origin: string): string | null {
	const d = policy.decide({
		method: "GET",
		origin,
		requestMethod: null,
		requestHeaders: null,
		selfOrigin: "https://gateway.example.net",
		host: "gateway.example.net",
		path: "/",
	});
	if (!("action" in d)) throw new Error("an inline policy never needs a lookup");
	if (d.action === "refuse") return null;
	if (d.action !== "forward" || d.entry === undefined) throw new Error(`unexpected ${JSON.stringify(d)}`);
	return d.entry;
}

describe("any port: scheme://host:* admits that host on every port, the default one included", () => {
	it.each([
		["a port of the host", "http://localhost:*", "http://localhost:5173", true],
		["another port of the host", "http://localhost:*", "http://localhost:3000", true],
		["the default port (no port in Origin)", "http://localhost:*", "http://localhost", true],
		["the default port written out", "http://localhost:*", "http://localhost:80", true],
		["the highest port", "http://localhost:*", "http://localhost:65535", true],
		["the host in another case", "http://localhost:*", "http://LOCALHOST:4000", true],
		["another scheme", "http://localhost:*", "https://localhost:5173", false],
		["another host", "http://localhost:*", "http://localhost.evil.example:5173", false],
		["a subdomain of the host", "http://localhost:*", "http://a.localhost:5173", false],
		["a host that ends like it", "http://localhost:*", "http://evillocalhost:5173", false],
		["an IPv4 loopback", "http://127.0.0.1:*", "http://127.0.0.1:8080", true],
		["another IPv4 address", "http://127.0.0.1:*", "http://127.0.0.2:8080", false],
		["an IPv6 loopback", "http://[::1]:*", "http://[::1]:8080", true],
		["an IPv6 loopback on the default port", "http://[::1]:*", "http://[::1]", true],
		["another IPv6 address", "http://[::1]:*", "http://[::2]:8080", false],
		["a wildcard on any port: a subdomain", "https://*.example.com:*", "https://a.example.com:8443", true],
		["a wildcard on any port: deeper, default port", "https://*.example.com:*", "https://a.b.example.com", true],
		["a wildcard on any port: never the apex", "https://*.example.com:*", "https://example.com:8443", false],
		["a wildcard on any port: another scheme", "https://*.example.com:*", "http://a.example.com:8443", false],
	])("%s: %s admits %s → %s", (_rule, entry, origin, admitted) => {
		expect(admittedBy(policyOf([entry]), origin)).toBe(admitted ? entry : null);
	});

	it("a port written for the same host stays exact beside it", () => {
		const policy = policyOf(["http://localhost:5173", "http://localhost:*"]);
		expect(admittedBy(policy, "http://localhost:5173")).toBe("http://localhost:5173");
		expect(admittedBy(policy, "http://localhost:9000")).toBe("http://localhost:*");
	});

	it("an exact entry with a port admits no other port", () => {
		expect(admittedBy(policyOf(["http://localhost:5173"]), "http://localhost:5174")).toBeNull();
	});
});

describe("label globs: one * inside the leftmost label matches one or more of a-z 0-9 -", () => {
	it.each([
		["a prefix glob", "https://pr-*.preview.example.com", "https://pr-123.preview.example.com", true],
		["a prefix glob, one character", "https://pr-*.preview.example.com", "https://pr-1.preview.example.com", true],
		["a prefix glob, letters and -", "https://pr-*.preview.example.com", "https://pr-feat-x.preview.example.com", true],
		["a prefix glob: nothing for the *", "https://pr-*.preview.example.com", "https://pr-.preview.example.com", false],
		["a prefix glob: never a dot", "https://pr-*.preview.example.com", "https://pr-1.x.preview.example.com", false],
		["a prefix glob: never _", "https://pr-*.preview.example.com", "https://pr-a_b.preview.example.com", false],
		["a prefix glob: another parent", "https://pr-*.preview.example.com", "https://pr-1.preview.example.org", false],
		["a prefix glob: a deeper parent", "https://pr-*.preview.example.com", "https://pr-1.a.preview.example.com", false],
		["a prefix glob: the parent itself", "https://pr-*.preview.example.com", "https://preview.example.com", false],
		["a prefix glob: another prefix", "https://pr-*.preview.example.com", "https://pq-1.preview.example.com", false],
		["a prefix glob: another scheme", "https://pr-*.preview.example.com", "http://pr-1.preview.example.com", false],
		["a prefix glob: a port", "https://pr-*.preview.example.com", "https://pr-1.preview.example.com:8443", false],
		["a prefix glob: host in capitals", "https://pr-*.preview.example.com", "https://PR-7.Preview.example.com", true],
		["a suffix glob", "https://*--myapp.netlify.app", "https://feat-x--myapp.netlify.app", true],
		["a suffix glob: nothing for the *", "https://*--myapp.netlify.app", "https://--myapp.netlify.app", false],
		["a suffix glob: another app", "https://*--myapp.netlify.app", "https://feat--myapp2.netlify.app", false],
		["an inner glob", "https://myapp-*-team.vercel.app", "https://myapp-git-main-team.vercel.app", true],
		["an inner glob: the literals overlap", "https://myapp-*-team.vercel.app", "https://myapp-team.vercel.app", false],
		["an inner glob: one character", "https://myapp-*-team.vercel.app", "https://myapp-a-team.vercel.app", true],
		["a glob with a port", "https://pr-*.example.com:8443", "https://pr-2.example.com:8443", true],
		["a glob with a port: another port", "https://pr-*.example.com:8443", "https://pr-2.example.com:8444", false],
		["a glob with a port: the default port", "https://pr-*.example.com:8443", "https://pr-2.example.com", false],
		["a glob on any port", "http://dev-*.example.test:*", "http://dev-a.example.test:3000", true],
		["a glob on any port: the default port", "http://dev-*.example.test:*", "http://dev-a.example.test", true],
		["a glob on any port: never a dot", "http://dev-*.example.test:*", "http://dev-a.b.example.test:3000", false],
		["a glob: an IPv6 origin", "http://dev-*.example.test:*", "http://[::1]:3000", false],
		["a glob: a host of one label", "http://dev-*.example.test:*", "http://dev-a:3000", false],
	])("%s: %s admits %s → %s", (_rule, entry, origin, admitted) => {
		expect(admittedBy(policyOf([entry]), origin)).toBe(admitted ? entry : null);
	});

	it("globs under one parent are each tried; under another parent, none", () => {
		const policy = policyOf([
			"https://pr-*.preview.example.com",
			"https://feat-*.preview.example.com",
			"https://*-rc.preview.example.com",
			"https://qa-*.staging.example.com",
		]);
		expect(admittedBy(policy, "https://feat-login.preview.example.com")).toBe("https://feat-*.preview.example.com");
		expect(admittedBy(policy, "https://v2-rc.preview.example.com")).toBe("https://*-rc.preview.example.com");
		expect(admittedBy(policy, "https://qa-1.preview.example.com")).toBeNull();
		expect(admittedBy(policy, "https://qa-1.staging.example.com")).toBe("https://qa-*.staging.example.com");
	});

	it("exact entries and wildcards still decide first, and name themselves", () => {
		const policy = policyOf(["https://pr-1.example.com", "https://pr-*.example.com", "https://*.example.com"]);
		expect(admittedBy(policy, "https://pr-1.example.com")).toBe("https://pr-1.example.com");
		expect(admittedBy(policy, "https://pr-2.example.com")).toBe("https://*.example.com");
	});

	it("with credentials, a glob answers with the request's own Origin, never the pattern", () => {
		const policy = policyOf(["https://pr-*.example.com"], { credentials: true });
		const d = policy.decide({
			method: "GET",
			origin: "https://pr-9.example.com",
			requestMethod: null,
			requestHeaders: null,
			selfOrigin: "https://gateway.example.net",
			host: "gateway.example.net",
			path: "/",
		});
		expect("action" in d && d.action === "forward" && d.headers).toEqual([
			["Access-Control-Allow-Origin", "https://pr-9.example.com"],
			["Access-Control-Allow-Credentials", "true"],
		]);
	});
});

describe("patterns are written in one normal form", () => {
	it.each([
		["a host in capitals, any port", "http://LocalHost:*", "http://localhost:*"],
		["an IPv6 loopback, any port", "http://[0:0:0:0:0:0:0:1]:*", "http://[::1]:*"],
		["a glob in capitals", "https://PR-*.Preview.Example.com", "https://pr-*.preview.example.com"],
		["a glob with the default port", "https://pr-*.example.com:443", "https://pr-*.example.com"],
		["a glob under an IDN parent", "https://pr-*.bücher.example", "https://pr-*.xn--bcher-kva.example"],
		["a wildcard on any port", "https://*.Example.com:*", "https://*.example.com:*"],
	])("%s: %s → %s", (_rule, raw, normal) => {
		const result = validateAllowlist({ origins: [raw] });
		expect(result.ok && result.document.origins).toEqual([normal]);
	});

	it("an entry and its normal form are one entry: the repeat is warned about", () => {
		const result = validateAllowlist({ origins: ["http://localhost:*", "http://LOCALHOST:*"] });
		expect(result.ok && result.document.origins).toEqual(["http://localhost:*"]);
		expect(result.warnings.map((w) => [w.path, w.rule])).toEqual([["origins[1]", "duplicate"]]);
	});
});

describe("malformed patterns are refused, with why and the fix", () => {
	it.each([
		[
			"two stars in the host",
			"https://a*b*.example.com",
			"wildcard-count",
			'keep one "*", as in "https://*.example.com" or "https://pr-*.example.com", or list the hosts',
		],
		[
			"a glob beside a *. label",
			"https://*.pr-*.example.com",
			"wildcard-count",
			'keep one "*", as in "https://*.example.com" or "https://pr-*.example.com", or list the hosts',
		],
		[
			"two stars in a row",
			"https://pr-**.example.com",
			"wildcard-count",
			'keep one "*", as in "https://*.example.com" or "https://pr-*.example.com", or list the hosts',
		],
		[
			"a star outside the leftmost label",
			"https://pr.x*.example.com",
			"wildcard-position",
			'move the "*" into the leftmost label, or list the hosts',
		],
		[
			"a star with no dot after it",
			"https://pr-*",
			"wildcard-position",
			'move the "*" into the leftmost label, or list the hosts',
		],
		[
			"a glob on a top-level domain",
			"https://pr-*.com",
			"glob-too-broad",
			'list a registrable domain, such as "https://pr-*.example.com"',
		],
		[
			"a glob over an IP address",
			"http://1*.0.0.1",
			"wildcard-ip",
			'list each IP origin, or write one with ":*" for every port',
		],
		[
			"a glob with a character no host has",
			"https://pr!-*.example.com",
			"glob-invalid-character",
			'keep letters, digits, "-" and "_" beside the "*", or list the hosts',
		],
		[
			"a glob with a non-ASCII character",
			"https://café-*.example.com",
			"glob-invalid-character",
			"write the literal part in punycode (xn--…), or list the hosts",
		],
		["a glob label over 63 characters", `https://${"a".repeat(63)}*.example.com`, "host-label-too-long", undefined],
		[
			"a port that is neither a number nor *",
			"http://localhost:**",
			"origin-port",
			'write ":*" for every port, or one port number',
		],
		["a port of * and digits", "http://localhost:8*", "origin-port", 'write ":*" for every port, or one port number'],
		[
			"* alone as the host, any port",
			"https://*:*",
			"wildcard-position",
			'move the "*" into the leftmost label, or list the hosts',
		],
	])("refuses %s: %s", (_rule, entry, rule, fix) => {
		const result = validateAllowlist({ origins: [entry] });
		expect(result.ok).toBe(false);
		const [problem, ...rest] = result.ok ? [] : result.problems;
		expect(rest).toEqual([]);
		expect(problem).toMatchObject({ path: "origins[0]", rule });
		expect(problem?.message).toContain(JSON.stringify(entry));
		expect(problem?.fix).toBe(fix);
	});

	it(`at most 64 globs under one parent: each request under it tries them all`, () => {
		const globs = (n: number) => Array.from({ length: n }, (_, i) => `https://p${i}-*.example.com`);
		expect(validateAllowlist({ origins: globs(64) }).ok).toBe(true);
		const result = validateAllowlist({ origins: [...globs(65), "https://q-*.other.example.com"] });
		expect(result.ok ? [] : result.problems).toEqual([
			{
				path: "origins[64]",
				rule: "globs-too-many",
				message: 'more than 64 patterns under "example.com": each request under it tries them all',
				fix: "merge them into fewer patterns, or list the hosts",
			},
		]);
	});
});

describe("warnings: patterns that admit more than their author may think", () => {
	it.each([
		["any port on a host that is not this machine", "https://app.example.com:*", "any-port-not-loopback"],
		["any port under a wildcard", "https://*.example.com:*", "any-port-not-loopback"],
		["any port on a LAN address", "http://192.168.1.10:*", "any-port-not-loopback"],
	])("%s: %s", (_rule, entry, rule) => {
		const result = validateAllowlist({ origins: [entry] });
		expect(result.ok).toBe(true);
		expect(result.warnings.map((w) => [w.path, w.rule])).toEqual([["origins[0]", rule]]);
		expect(result.warnings[0]?.fix).toEqual(expect.any(String));
	});

	it.each([
		"http://localhost:*",
		"http://127.0.0.1:*",
		"http://[::1]:*",
		"https://pr-*.preview.example.com",
		"https://pr-*.example.netlify.app",
	])("no warning for %s", (entry) => {
		expect(validateAllowlist({ origins: [entry] }).warnings).toEqual([]);
	});

	it.each([
		[7200, []],
		[7201, ["max-age-capped"]],
		[86400, ["max-age-capped"]],
	])("maxAge %d: Chromium caches a preflight for 2 hours at most", (maxAge, rules) => {
		const result = validateAllowlist({ origins: ["https://app.example.com"], maxAge, routes: { "/f": { maxAge } } });
		expect(result.ok).toBe(true);
		const expected =
			rules.length === 0
				? []
				: [
						["maxAge", rules[0]],
						['routes["/f"].maxAge', rules[0]],
					];
		expect(result.warnings.map((w) => [w.path, w.rule])).toEqual(expected);
	});
});

describe("sharded documents keep the patterns inline: a shard only holds what one hash finds", () => {
	it.each([
		["an exact origin", "https://app.example.com", true],
		["an exact IP origin", "http://127.0.0.1:8080", true],
		["a wildcard", "https://*.example.com", true],
		["a wildcard with a port", "https://*.example.com:8443", true],
		["any port", "http://localhost:*", false],
		["a wildcard on any port", "https://*.example.com:*", false],
		["a glob", "https://pr-*.example.com", false],
		['"*"', "*", false],
		['"null"', "null", false],
		["an entry not in normal form", "https://APP.example.com", false],
	])("%s: %s → shardable %s", (_rule, entry, shardable) => {
		expect(isShardable(entry)).toBe(shardable);
	});

	it("the parser's kinds: any-port and glob are their own", () => {
		expect(parseOriginEntry("http://localhost:*")).toMatchObject({ kind: "any-port", wildcard: false });
		expect(parseOriginEntry("https://*.example.com:*")).toMatchObject({ kind: "any-port", wildcard: true });
		expect(parseOriginEntry("https://pr-*.example.com")).toMatchObject({
			kind: "glob",
			prefix: "pr-",
			labelSuffix: "",
			parent: ".example.com",
		});
	});
});

describe("every kind of entry is tried after a miss of the kinds before it", () => {
	const ALL = policyOf([
		"https://exact.example.com",
		"https://*.wild.example.com",
		"http://localhost:*",
		"https://*.anyport.example.com:*",
		"https://pr-*.preview.example.com",
		"https://qa-*.preview.example.com:*",
	]);

	it.each([
		["an exact entry", "https://exact.example.com", "https://exact.example.com"],
		["a wildcard", "https://a.wild.example.com", "https://*.wild.example.com"],
		["any port on a host", "http://localhost:3000", "http://localhost:*"],
		["any port under a wildcard", "https://a.anyport.example.com:8443", "https://*.anyport.example.com:*"],
		["a glob", "https://pr-7.preview.example.com", "https://pr-*.preview.example.com"],
		["a glob on any port", "https://qa-7.preview.example.com:8443", "https://qa-*.preview.example.com:*"],
		["a glob on any port, the default port", "https://qa-7.preview.example.com", "https://qa-*.preview.example.com:*"],
	])("%s: %s", (_rule, origin, entry) => {
		expect(admittedBy(ALL, origin)).toBe(entry);
	});

	it("none of them: refused", () => {
		expect(admittedBy(ALL, "https://pr-7.preview.example.com:8443")).toBeNull();
		expect(admittedBy(ALL, "https://anyport.example.com:8443")).toBeNull();
	});

	it("a glob written twice (in any case) is one entry: the repeat is warned about", () => {
		const result = validateAllowlist({ origins: ["https://pr-*.example.com", "https://PR-*.Example.com"] });
		expect(result.ok && result.document.origins).toEqual(["https://pr-*.example.com"]);
		expect(result.warnings.map((w) => [w.path, w.rule])).toEqual([["origins[1]", "duplicate"]]);
	});
});
