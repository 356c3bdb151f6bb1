// docs/SPEC.md "Behaviour": one row per rule, decided by the compiled policy alone.
import { describe, expect, it } from "vitest";
import {
	type CorsPolicy,
	type CorsRequest,
	compileAllowlist,
	type Decision,
	REASON_TEXT,
	refuseAll,
	settle,
} from "../../src/policy/index.ts";

const SELF = "https://gateway.example.net";
const HOST = "gateway.example.net";

function policyOf(doc: unknown): CorsPolicy {
	const result = compileAllowlist(doc as object);
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.policy;
}

const base = policyOf({
	origins: [
		"https://app.example.com",
		"https://*.example.com",
		"http://localhost:5173",
		"https://*.tenant.example.org:8443",
	],
	methods: ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"],
	headers: ["x-custom", "authorization"],
	exposeHeaders: ["x-request-id", "x-trace"],
	maxAge: 300,
});
const withCredentials = policyOf({ origins: ["https://app.example.com"], credentials: true });
const star = policyOf({ origins: ["*"], headers: ["x-custom"], exposeHeaders: ["x-request-id"] });
const withNull = policyOf({ origins: ["null", "https://app.example.com"] });
const starAndNull = policyOf({ origins: ["*", "null"] });
const none = refuseAll("no allowlist document");

function get(origin: string | null, method = "GET"): CorsRequest {
	return { method, origin, requestMethod: null, requestHeaders: null, selfOrigin: SELF, host: HOST, path: "/" };
}
function preflight(origin: string, requestMethod: string, requestHeaders: string | null = null): CorsRequest {
	return { method: "OPTIONS", origin, requestMethod, requestHeaders, selfOrigin: SELF, host: HOST, path: "/" };
}
function header(d: Decision, name: string): string | undefined {
	return d.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

describe("origins: which are allowed", () => {
	it.each([
		["exact origin", "https://app.example.com"],
		["exact origin, host in another case", "https://APP.example.com"],
		["exact origin, default port written", "https://app.example.com:443"],
		["wildcard: one label before the domain", "https://api.example.com"],
		["wildcard: several labels before the domain", "https://a.b.c.example.com"],
		["wildcard with port", "https://x.tenant.example.org:8443"],
		["http localhost with port", "http://localhost:5173"],
	])("approves %s", (_rule, origin) => {
		const d = base.decide(get(origin));
		expect(d.action).toBe("forward");
		expect(header(d, "Access-Control-Allow-Origin")).toBe(origin);
	});

	it.each([
		["the apex of a wildcard", "https://example.com"],
		["a look-alike suffix", "https://evilexample.com"],
		["the allowed domain under an attacker's domain", "https://example.com.evil.com"],
		["an allowed host under an attacker's domain", "https://app.example.com.evil.com"],
		["another scheme", "http://app.example.com"],
		["another scheme for a wildcard", "http://api.example.com"],
		["another port", "https://app.example.com:8443"],
		["another port for a wildcard", "https://x.tenant.example.org"],
		["a wildcard port on another port", "https://x.tenant.example.org:9443"],
		["the apex of a wildcard with port", "https://tenant.example.org:8443"],
		["localhost without the port", "http://localhost"],
		["localhost on another port", "http://localhost:5174"],
		['"null" when not listed', "null"],
		["a prefix look-alike", "https://app.example.company"],
		["a special character after the domain", "https://app.example.com%60.evil.com"],
		["an underscore look-alike", "https://app_example.com"],
	])("refuses %s", (_rule, origin) => {
		const d = base.decide(get(origin));
		expect(d).toMatchObject({ action: "refuse", reason: expect.stringMatching(/^origin-/) });
		expect(d.headers).toEqual([["Vary", "Origin"]]);
	});

	it('"null" only when listed literally', () => {
		expect(withNull.decide(get("null"))).toMatchObject({ action: "forward", entry: "null" });
		expect(header(withNull.decide(get("null")), "Access-Control-Allow-Origin")).toBe("null");
	});

	it("names the entry that approved", () => {
		expect(base.decide(get("https://a.b.example.com"))).toMatchObject({ entry: "https://*.example.com" });
	});
});

describe("the Access-Control-Allow-Origin value is the request's Origin byte for byte", () => {
	it.each(["HTTPS://App.Example.com", "https://app.example.com:443"])("%s", (origin) => {
		expect(header(base.decide(get(origin)), "Access-Control-Allow-Origin")).toBe(origin);
	});
});

describe("malformed Origin values are refused", () => {
	it.each([
		["empty", "", "origin-empty"],
		["several Origin headers", "https://app.example.com, https://app.example.com", "origin-malformed"],
		["longer than 512 bytes", `https://${"a".repeat(510)}.example.com`, "origin-too-long"],
		["with a path that a URL parser would drop", "https://app.example.com/", "origin-malformed"],
		["with user-info", "https://evil.com@app.example.com", "origin-malformed"],
		["with :0443", "https://app.example.com:0443", "origin-malformed"],
	])("%s", (_rule, origin, reason) => {
		for (const request of [get(origin), preflight(origin, "PUT")]) {
			expect(base.decide(request)).toMatchObject({ action: "refuse", reason });
		}
	});
});

describe("preflights (OPTIONS with Origin and Access-Control-Request-Method)", () => {
	it("approved: origin, methods, headers, max-age, Vary", () => {
		const d = base.decide(preflight("https://app.example.com", "PUT", "x-custom"));
		expect(d.action).toBe("preflight");
		expect(Object.fromEntries(d.headers)).toEqual({
			"Access-Control-Allow-Origin": "https://app.example.com",
			"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, PATCH",
			"Access-Control-Allow-Headers":
				"accept, accept-language, content-language, content-type, range, x-custom, authorization",
			"Access-Control-Max-Age": "300",
			Vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
		});
	});

	it.each([
		[
			"a safelisted method needs no listing",
			policyOf({ origins: ["https://app.example.com"], methods: [] }),
			"POST",
			null,
		],
		["a listed method", base, "DELETE", null],
		["requested headers compared case-insensitively", base, "PUT", "X-Custom"],
		["spaces and empty items tolerated", base, "PUT", " x-custom ,, content-type ,"],
		["order free, duplicates fine", base, "PUT", "x-custom,authorization,x-custom"],
		[
			"safelisted header names need no listing",
			policyOf({ origins: ["https://app.example.com"] }),
			"POST",
			"content-type, accept, accept-language, content-language, range",
		],
		["authorization when listed", base, "GET", "authorization"],
		["an empty Access-Control-Request-Headers", base, "PUT", ""],
	])("approves: %s", (_rule, policy, method, headers) => {
		expect(policy.decide(preflight("https://app.example.com", method, headers)).action).toBe("preflight");
	});

	it.each([
		["origin not allowed", base, preflight("https://evil.example.net", "GET"), "origin-not-allowed"],
		["method not listed", base, preflight("https://app.example.com", "PROPFIND"), "method-not-allowed"],
		["methods are case-sensitive", base, preflight("https://app.example.com", "patch"), "method-not-allowed"],
		["empty Access-Control-Request-Method", base, preflight("https://app.example.com", ""), "preflight-method-empty"],
		[
			"a header not listed",
			base,
			preflight("https://app.example.com", "PUT", "x-custom, x-other"),
			"header-not-allowed",
		],
		[
			"authorization when not listed",
			withCredentials,
			preflight("https://app.example.com", "GET", "authorization"),
			"header-not-allowed",
		],
		[
			"Access-Control-Request-Headers over 4 KiB",
			base,
			preflight("https://app.example.com", "PUT", "x-custom,".repeat(500)),
			"request-headers-too-long",
		],
		[
			"a requested header that is not a token",
			base,
			preflight("https://app.example.com", "PUT", "x-custom; x"),
			"request-headers-malformed",
		],
		[
			"a space inside a header name",
			base,
			preflight("https://app.example.com", "PUT", "x custom"),
			"request-headers-malformed",
		],
	])("refuses: %s", (_rule, policy, request, reason) => {
		const d = policy.decide(request);
		expect(d).toMatchObject({ action: "refuse", preflight: true, reason });
		expect(d.headers).toEqual([["Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]]);
	});

	it("each listed header is approved on its own, each unlisted one refused on its own", () => {
		for (const name of ["x-custom", "authorization", "content-type"]) {
			expect(base.decide(preflight("https://app.example.com", "PUT", name)).action).toBe("preflight");
		}
		for (const name of ["x-custom2", "x-api-key", "cookie"]) {
			expect(base.decide(preflight("https://app.example.com", "PUT", `x-custom, ${name}`))).toMatchObject({
				reason: "header-not-allowed",
				detail: name,
			});
		}
	});

	it("credentials on: Access-Control-Allow-Credentials: true", () => {
		expect(
			header(withCredentials.decide(preflight("https://app.example.com", "POST")), "Access-Control-Allow-Credentials"),
		).toBe("true");
		expect(
			header(base.decide(preflight("https://app.example.com", "POST")), "Access-Control-Allow-Credentials"),
		).toBeUndefined();
	});
});

describe("actual requests", () => {
	it("approved: origin, expose headers, Vary: Origin; no credentials header when off", () => {
		const d = base.decide(get("https://app.example.com", "POST"));
		expect(d).toMatchObject({ action: "forward", cors: true, vary: "Origin" });
		expect(Object.fromEntries(d.headers)).toEqual({
			"Access-Control-Allow-Origin": "https://app.example.com",
			"Access-Control-Expose-Headers": "x-request-id, x-trace",
		});
	});

	it("credentials on: Access-Control-Allow-Credentials: true and the origin, never *", () => {
		const d = withCredentials.decide(get("https://app.example.com"));
		expect(Object.fromEntries(d.headers)).toEqual({
			"Access-Control-Allow-Origin": "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
		});
	});

	it("OPTIONS without Access-Control-Request-Method is an actual request, forwarded", () => {
		expect(base.decide(get("https://app.example.com", "OPTIONS"))).toMatchObject({ action: "forward", cors: true });
		expect(base.decide(get("https://evil.example.net", "OPTIONS"))).toMatchObject({
			action: "refuse",
			preflight: false,
		});
	});

	it("refused: no CORS headers, Vary: Origin", () => {
		expect(base.decide(get("https://evil.example.net"))).toEqual({
			action: "refuse",
			preflight: false,
			headers: [["Vary", "Origin"]],
			reason: "origin-not-allowed",
			detail: "https://evil.example.net",
			route: null,
		});
	});
});

describe("requests that are not CORS", () => {
	it.each([
		["no Origin", get(null)],
		["the Worker's own origin", get(SELF)],
		["the Worker's own origin, written with its default port", get(`${SELF}:443`)],
		["OPTIONS with Access-Control-Request-Method but no Origin", { ...get(null, "OPTIONS"), requestMethod: "PUT" }],
	])("%s: forwarded, no CORS headers, Vary: Origin", (_rule, request) => {
		expect(base.decide(request)).toEqual({ action: "forward", cors: false, headers: [], vary: "Origin", route: null });
	});
});

describe('"*": any origin, without credentials', () => {
	it.each([
		["a request without Origin", get(null)],
		["a cross-origin request", get("https://anyone.example")],
	])("%s carries Access-Control-Allow-Origin: * and needs no Vary", (_rule, request) => {
		const d = star.decide(request);
		expect(d).toMatchObject({ action: "forward", vary: null });
		expect(header(d, "Access-Control-Allow-Origin")).toBe("*");
		expect(header(d, "Access-Control-Expose-Headers")).toBe("x-request-id");
	});

	it("preflights answer * and still check methods and headers", () => {
		expect(
			header(star.decide(preflight("https://anyone.example", "GET", "x-custom")), "Access-Control-Allow-Origin"),
		).toBe("*");
		expect(star.decide(preflight("https://anyone.example", "PUT"))).toMatchObject({
			action: "refuse",
			reason: "method-not-allowed",
		});
		expect(star.decide(preflight("https://anyone.example", "GET", "x-other"))).toMatchObject({
			action: "refuse",
			reason: "header-not-allowed",
		});
	});

	it.each([
		['a "*" list without "null" refuses the opaque origin', star, get("null"), "refuse"],
		['a "*" list refuses a preflight from the opaque origin', star, preflight("null", "GET"), "refuse"],
		['a "*" list with "null" listed admits it', starAndNull, get("null"), "forward"],
		['a "*" list with "null" listed admits its preflight', starAndNull, preflight("null", "GET"), "preflight"],
	] as const)("%s", (_rule, policy, request, action) => {
		const d = policy.decide(request);
		expect(d.action).toBe(action);
		if (action === "refuse") {
			expect(d).toMatchObject({ reason: "origin-not-allowed", detail: "null" });
			expect(header(d, "Access-Control-Allow-Origin")).toBeUndefined();
		} else {
			expect(header(d, "Access-Control-Allow-Origin")).toBe("*");
		}
	});

	it("a malformed Origin is still refused", () => {
		expect(star.decide(get("https://anyone.example/path"))).toMatchObject({
			action: "refuse",
			reason: "origin-malformed",
		});
	});
});

describe("no valid allowlist loaded", () => {
	it("refuses every cross-origin request and says why", () => {
		expect(none.decide(get("https://app.example.com"))).toMatchObject({
			action: "refuse",
			reason: "no-allowlist",
			detail: "no allowlist document",
		});
		expect(none.decide(preflight("https://app.example.com", "GET"))).toMatchObject({
			action: "refuse",
			reason: "no-allowlist",
		});
	});

	it("still forwards requests that are not CORS", () => {
		expect(none.decide(get(null))).toMatchObject({ action: "forward", cors: false, vary: "Origin" });
	});
});

describe("refusal reasons and details", () => {
	it("every reason has its own words", () => {
		const texts = Object.values(REASON_TEXT);
		expect(texts.every((t) => t.length > 20)).toBe(true);
		expect(new Set(texts).size).toBe(texts.length);
		expect(REASON_TEXT["origin-too-long"]).toContain("512");
		expect(REASON_TEXT["request-headers-too-long"]).toContain("4096");
	});

	it.each([
		[
			"an empty Access-Control-Request-Method",
			preflight("https://app.example.com", ""),
			"preflight-method-empty",
			"Access-Control-Request-Method is empty",
		],
		["a method not listed", preflight("https://app.example.com", "PURGE"), "method-not-allowed", "PURGE"],
		[
			"a header not listed, named in lower case",
			preflight("https://app.example.com", "PUT", "X-Other"),
			"header-not-allowed",
			"x-other",
		],
		[
			"a malformed header list, up to the bad byte",
			preflight("https://app.example.com", "PUT", "x-custom, a b, c"),
			"request-headers-malformed",
			"a b",
		],
		[
			"a malformed header list ending in the bad byte",
			preflight("https://app.example.com", "PUT", "a b"),
			"request-headers-malformed",
			"a b",
		],
		[
			"a header list over 4096 bytes, by its length",
			preflight("https://app.example.com", "PUT", "a,".repeat(2049)),
			"request-headers-too-long",
			"4098 bytes",
		],
		["an origin not listed", get("https://evil.example"), "origin-not-allowed", "https://evil.example"],
	])("%s", (_rule, req, reason, detail) => {
		expect(base.decide(req)).toMatchObject({ action: "refuse", reason, detail });
	});

	it("a header list of exactly 4096 bytes is read", () => {
		const d = base.decide(preflight("https://app.example.com", "PUT", `${"x-custom,".repeat(454)}x-custom  `));
		expect(d.action).toBe("preflight");
	});

	it("tabs and spaces around header names are tolerated", () => {
		expect(base.decide(preflight("https://app.example.com", "PUT", "\tx-custom\t,\t authorization ")).action).toBe(
			"preflight",
		);
	});

	it("a GET carrying Access-Control-Request-Method is not a preflight", () => {
		const req = { ...get("https://app.example.com"), requestMethod: "PURGE" };
		expect(base.decide(req)).toMatchObject({ action: "forward", cors: true });
	});

	it('"*": requests without Origin get Access-Control-Allow-Origin: * and no Vary; preflights name "*"', () => {
		expect(star.decide(get(null))).toEqual({
			action: "forward",
			cors: false,
			headers: [
				["Access-Control-Allow-Origin", "*"],
				["Access-Control-Expose-Headers", "x-request-id"],
			],
			vary: null,
			route: null,
		});
		expect(star.decide(get("https://a.example"))).toMatchObject({ action: "forward", cors: true, entry: "*" });
		expect(star.decide(preflight("https://a.example", "GET"))).toMatchObject({ action: "preflight", entry: "*" });
	});
});

describe("origins held outside the document (a sharded allowlist's OriginSource)", () => {
	// What a shard read answers: the entry, null for none, undefined when it could not be read.
	const shards = new Map<string, string | null | undefined>([
		["https://tenant.example.net", "https://tenant.example.net"],
		["https://gone.example.net", null],
		["https://unreadable.example.net", undefined],
	]);
	const sharded = policyOf({ origins: ["https://app.example.com"], methods: ["PUT"] }).withSource({
		match: () => undefined,
		find: async (key: string) => shards.get(key),
	});

	it.each([
		["an origin of the document itself needs no lookup", get("https://app.example.com"), { action: "forward" }],
		[
			"an origin a shard lists is admitted by its entry",
			get("https://tenant.example.net"),
			{ action: "forward", entry: "https://tenant.example.net" },
		],
		[
			"a preflight from it is checked once the entry is known",
			preflight("https://tenant.example.net", "PUT"),
			{ action: "preflight" },
		],
		[
			"an origin no shard lists is refused",
			get("https://gone.example.net"),
			{ action: "refuse", reason: "origin-not-allowed" },
		],
		[
			"a shard that could not be read refuses, never admits",
			get("https://unreadable.example.net"),
			{ action: "refuse", reason: "allowlist-unavailable", detail: "https://unreadable.example.net" },
		],
	])("%s", async (_rule, req, expected) => {
		expect(await settle(sharded.decide(req))).toMatchObject(expected);
	});

	it("decide asks for the lookup by the origin's canonical key", () => {
		expect(sharded.decide(get("https://Tenant.example.net:443"))).toMatchObject({
			action: "lookup",
			key: "https://tenant.example.net",
		});
	});
});

describe("wildcards per scheme: an http wildcard admits http subdomains only", () => {
	const httpWildcard = policyOf({ origins: ["http://*.example.com", "https://*.secure.example"] });

	it.each([
		["an http subdomain", "http://a.example.com", "http://*.example.com"],
		["an https subdomain of the https wildcard", "https://a.secure.example", "https://*.secure.example"],
	])("admits %s", (_rule, origin, entry) => {
		expect(httpWildcard.decide(get(origin))).toMatchObject({ action: "forward", entry });
	});

	it.each([
		["the https form of the http wildcard", "https://a.example.com"],
		["the http form of the https wildcard", "http://a.secure.example"],
	])("refuses %s", (_rule, origin) => {
		expect(httpWildcard.decide(get(origin))).toMatchObject({ action: "refuse", reason: "origin-not-allowed" });
	});
});
