// docs/SPEC.md "Routes": `routes` in the allowlist document, one row per rule: what each
// route's effective policy is, what validation refuses, and where it says the problem is.
import { describe, expect, it } from "vitest";
import { validateAllowlist } from "../../src/policy/document.ts";
import { formatProblem, MAX_ROUTE_ORIGINS, MAX_ROUTES } from "../../src/policy/index.ts";
import { ONE_SHARD } from "../support/manifest.ts";

const TOP = {
	origins: ["https://app.example.com", "http://localhost:5173"],
	credentials: true,
	methods: ["GET", "HEAD", "POST", "PUT"],
	headers: ["x-custom"],
	exposeHeaders: ["x-request-id"],
	maxAge: 300,
};

function valid(doc: unknown) {
	const result = validateAllowlist(doc);
	if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
	return result;
}

/** The effective policy of the one route of `{...TOP, routes: {"/r": route}}`. */
function effective(route: object) {
	const [only] = valid({ ...TOP, routes: { "/r": route } }).routes;
	return only?.settings;
}

function problems(doc: unknown) {
	const result = validateAllowlist(doc);
	return result.ok ? [] : result.problems;
}

describe("a route's effective policy: the fields it sets, the top level's for the rest", () => {
	it.each([
		["origins", { origins: ["https://fonts.example.net"] }, { origins: ["https://fonts.example.net"] }],
		["credentials", { credentials: false }, { credentials: false }],
		["methods", { methods: ["DELETE"] }, { methods: ["DELETE"] }],
		["headers (lowercased)", { headers: ["X-Other"] }, { headers: ["x-other"] }],
		["exposeHeaders", { exposeHeaders: [] }, { exposeHeaders: [] }],
		["maxAge", { maxAge: 60 }, { maxAge: 60 }],
	])("a route that sets only %s inherits every other field", (_field, route, changed) => {
		expect(effective(route)).toEqual({ ...TOP, ...changed });
	});

	it("a route that sets nothing is the top level", () => {
		expect(effective({})).toEqual(TOP);
	});

	it("a route's origins replace the top level's, never merge", () => {
		const settings = effective({ origins: ["https://other.example.net"] });
		expect(settings?.origins).toEqual(["https://other.example.net"]);
		expect(settings?.origins).not.toContain("https://app.example.com");
	});

	it("an empty origins list replaces too (the route refuses every cross-origin request)", () => {
		expect(effective({ origins: [] })?.origins).toEqual([]);
	});

	it("a route's lists replace the top level's: methods are not added to", () => {
		expect(effective({ methods: ["PATCH"] })?.methods).toEqual(["PATCH"]);
	});

	it("a route does not inherit from a shorter route, only from the top level", () => {
		const result = valid({ ...TOP, routes: { "/a": { maxAge: 1 }, "/a/b": { methods: ["PATCH"] } } });
		expect(result.routes.find((r) => r.key.text === "/a/b")?.settings.maxAge).toBe(300);
	});

	it("a route without origins shares the top level's matcher, and its shards", () => {
		const shards = ONE_SHARD;
		const result = valid({ origins: [], shards, routes: { "/r": { maxAge: 1 }, "/own": { origins: ["*"] } } });
		const [inherits, own] = result.routes;
		expect(inherits).toMatchObject({ inheritsOrigins: true, settings: { shards } });
		expect(inherits?.matcher).toBe(result.matcher);
		expect(own?.inheritsOrigins).toBe(false);
		expect(own?.settings.shards).toBeUndefined();
		expect(own?.matcher).not.toBe(result.matcher);
	});
});

describe("the normalized document keeps routes normalized", () => {
	it("keys and fields normalized, only the fields each route sets, in field order", () => {
		const { document } = valid({
			origins: ["https://app.example.com"],
			routes: {
				"/Fonts/": { maxAge: 60, origins: ["HTTPS://CDN.example.com:443", "*"] },
				"API.Example.com/v2": { headers: ["X-Other", "x-other"], credentials: true },
			},
		});
		expect(document.routes).toEqual({
			"/Fonts": { origins: ["https://cdn.example.com", "*"], maxAge: 60 },
			"api.example.com/v2": { credentials: true, headers: ["x-other"] },
		});
		expect(Object.keys(document.routes?.["/Fonts"] ?? {})).toEqual(["origins", "maxAge"]);
	});

	it("a document without routes has none", () => {
		expect("routes" in valid({ origins: [] }).document).toBe(false);
	});

	it("an empty routes object stays (and decides nothing)", () => {
		const result = valid({ origins: [], routes: {} });
		expect(result.document.routes).toEqual({});
		expect(result.routes).toEqual([]);
	});
});

describe("every effective policy is held to every rule; problems name the route", () => {
	it.each([
		[
			'"*" in a route with the top level\'s credentials',
			{ ...TOP, routes: { "/fonts": { origins: ["https://a.example", "*"] } } },
			'routes["/fonts"].origins[1]',
			"wildcard-with-credentials",
		],
		[
			'credentials on in a route with its own "*"',
			{ origins: ["https://a.example"], routes: { "/fonts": { origins: ["*"], credentials: true } } },
			'routes["/fonts"].origins[0]',
			"wildcard-with-credentials",
		],
		[
			'credentials on in a route that inherits the top level\'s "*"',
			{ origins: ["*"], routes: { "/fonts": { credentials: true } } },
			'routes["/fonts"].credentials',
			"wildcard-with-credentials",
		],
		[
			"credentials not a boolean",
			{ ...TOP, routes: { "/fonts": { credentials: "yes" } } },
			'routes["/fonts"].credentials',
			"credentials-not-boolean",
		],
		[
			"an invalid origin",
			{ ...TOP, routes: { "/fonts": { origins: ["https://a.example", "https://b.example", "https://c.example/"] } } },
			'routes["/fonts"].origins[2]',
			"origin-has-path",
		],
		[
			"origins not an array",
			{ ...TOP, routes: { "/f": { origins: "*" } } },
			'routes["/f"].origins',
			"origins-not-array",
		],
		[
			"a forbidden method",
			{ ...TOP, routes: { "/f": { methods: ["TRACE"] } } },
			'routes["/f"].methods[0]',
			"method-forbidden",
		],
		[
			"a forbidden header",
			{ ...TOP, routes: { "/f": { headers: ["Cookie"] } } },
			'routes["/f"].headers[0]',
			"header-forbidden",
		],
		[
			"set-cookie exposed",
			{ ...TOP, routes: { "/f": { exposeHeaders: ["set-cookie"] } } },
			'routes["/f"].exposeHeaders[0]',
			"expose-forbidden",
		],
		["maxAge too large", { ...TOP, routes: { "/f": { maxAge: 86401 } } }, 'routes["/f"].maxAge', "max-age-range"],
		["maxAge not whole", { ...TOP, routes: { "/f": { maxAge: 1.5 } } }, 'routes["/f"].maxAge', "max-age-range"],
		[
			"an unknown field, near a known one",
			{ ...TOP, routes: { "/f": { orgins: [] } } },
			'routes["/f"].orgins',
			"unknown-field",
		],
		["shards in a route", { ...TOP, routes: { "/f": { shards: {} } } }, 'routes["/f"].shards', "unknown-field"],
		["nested routes", { ...TOP, routes: { "/f": { routes: {} } } }, 'routes["/f"].routes', "unknown-field"],
		[
			"an unknown mode in a route",
			{ ...TOP, routes: { "/f": { mode: "report" } } },
			'routes["/f"].mode',
			"mode-unknown",
		],
		["an unknown mode at the top level", { ...TOP, mode: "off" }, "mode", "mode-unknown"],
		["a route that is not an object", { ...TOP, routes: { "/f": ["*"] } }, 'routes["/f"]', "route-not-object"],
		["routes not an object", { ...TOP, routes: [] }, "routes", "routes-not-object"],
		["a malformed key", { ...TOP, routes: { "/f?x": {} } }, 'routes["/f?x"]', "route-key-query"],
		["two keys that normalize to one", { ...TOP, routes: { "/f": {}, "/f/": {} } }, 'routes["/f/"]', "route-duplicate"],
		[
			"two host keys that normalize to one",
			{ ...TOP, routes: { "a.example.com/v2": {}, "A.EXAMPLE.com/v2/": {} } },
			'routes["A.EXAMPLE.com/v2/"]',
			"route-duplicate",
		],
	])("%s: %s", (_rule, doc, path, rule) => {
		expect(problems(doc)).toContainEqual(expect.objectContaining({ path, rule }));
	});

	it("the same rule in two routes is reported once per route", () => {
		const found = problems({ ...TOP, routes: { "/a": { methods: ["CONNECT"] }, "/b": { methods: ["CONNECT"] } } });
		expect(found.map((p) => p.path)).toEqual(['routes["/a"].methods[0]', 'routes["/b"].methods[0]']);
	});

	it('"*" in a route is valid when the route turns credentials off', () => {
		expect(validateAllowlist({ ...TOP, routes: { "/fonts": { origins: ["*"], credentials: false } } }).ok).toBe(true);
	});

	it('"*" in a route is valid when no credentials are on anywhere', () => {
		expect(validateAllowlist({ origins: [], routes: { "/fonts": { origins: ["*"] } } }).ok).toBe(true);
	});

	it("a route's credentials are valid with the top level's \"*\" when the route has its own origins", () => {
		const doc = { origins: ["*"], routes: { "/app": { origins: ["https://a.example"], credentials: true } } };
		expect(validateAllowlist(doc).ok).toBe(true);
	});
});

describe("limits", () => {
	it(`at most ${MAX_ROUTES} routes`, () => {
		const routes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`/r${i}`, {}]));
		expect(validateAllowlist({ origins: [], routes: routes(MAX_ROUTES) }).ok).toBe(true);
		expect(problems({ origins: [], routes: routes(MAX_ROUTES + 1) })).toEqual([
			expect.objectContaining({ path: "routes", rule: "routes-too-many" }),
		]);
	});

	it(`at most ${MAX_ROUTE_ORIGINS} origins in a route`, () => {
		const origins = (n: number) => Array.from({ length: n }, (_, i) => `https://o${i}.example.com`);
		expect(validateAllowlist({ origins: [], routes: { "/r": { origins: origins(MAX_ROUTE_ORIGINS) } } }).ok).toBe(true);
		expect(problems({ origins: [], routes: { "/r": { origins: origins(MAX_ROUTE_ORIGINS + 1) } } })).toEqual([
			expect.objectContaining({ path: 'routes["/r"].origins', rule: "route-origins-too-many" }),
		]);
	});
});

describe("warnings name the route too", () => {
	it.each([
		[
			"a repeated origin",
			{ routes: { "/r": { origins: ["https://a.example", "https://A.example"] } } },
			'routes["/r"].origins[1]',
			"duplicate",
		],
		['"null" in a route', { routes: { "/r": { origins: ["null"] } } }, 'routes["/r"].origins[0]', "null-origin"],
		["an empty route", { routes: { "/r": {} } }, 'routes["/r"]', "route-empty"],
		["an empty origins list", { routes: { "/r": { origins: [] } } }, 'routes["/r"].origins', "origins-empty"],
		[
			"credentials turned on for inherited plain-http origins",
			{ origins: ["http://localhost:5173"], routes: { "/r": { credentials: true } } },
			'routes["/r"].credentials',
			"insecure-with-credentials",
		],
	])("%s", (_rule, doc, path, rule) => {
		const result = validateAllowlist({ origins: ["https://a.example"], ...doc });
		expect(result.ok).toBe(true);
		expect(result.warnings).toContainEqual(expect.objectContaining({ path, rule }));
	});
});

describe("every route problem and warning, exactly: where, which rule, what is wrong and the fix", () => {
	const A = ["https://a.example"];
	const ROUTE_FIX =
		'write {"origins": [...]} with the fields that differ from the top level (origins, credentials, methods, headers, exposeHeaders, maxAge, mode)';
	const ROUTES_FIX = 'write "routes": {"/fonts": {"origins": ["*"]}}';
	const many = <T>(n: number, item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));

	it.each([
		[
			"routes an array",
			{ origins: A, routes: [] },
			"routes",
			"routes-not-object",
			"expected an object of route key → route policy, got an array",
			ROUTES_FIX,
		],
		[
			"routes null",
			{ origins: A, routes: null },
			"routes",
			"routes-not-object",
			"expected an object of route key → route policy, got null",
			ROUTES_FIX,
		],
		[
			"routes a string",
			{ origins: A, routes: "/fonts" },
			"routes",
			"routes-not-object",
			'expected an object of route key → route policy, got the string "/fonts"',
			ROUTES_FIX,
		],
		[
			"a route that is true",
			{ origins: A, routes: { "/r": true } },
			'routes["/r"]',
			"route-not-object",
			"expected the route's policy, an object, got boolean true",
			ROUTE_FIX,
		],
		[
			"a route that is null",
			{ origins: A, routes: { "/r": null } },
			'routes["/r"]',
			"route-not-object",
			"expected the route's policy, an object, got null",
			ROUTE_FIX,
		],
		[
			"a route that is an array",
			{ origins: A, routes: { "/r": [] } },
			'routes["/r"]',
			"route-not-object",
			"expected the route's policy, an object, got an array",
			ROUTE_FIX,
		],
		[
			"a key without /",
			{ origins: A, routes: { fonts: {} } },
			'routes["fonts"]',
			"route-key-no-path",
			'"fonts": a route key is a path starting with /, optionally preceded by a host',
			'use "/fonts" for a path, or "fonts/" for every path of host fonts',
		],
		[
			"one route twice",
			{ origins: A, routes: { "/a": {}, "/a/": {} } },
			'routes["/a/"]',
			"route-duplicate",
			'"/a/" is the same route as "/a" (both are "/a")',
			"merge the two into one",
		],
		[
			"a route's origins not an array",
			{ origins: A, routes: { "/r": { origins: "https://b.example" } } },
			'routes["/r"].origins',
			"origins-not-array",
			'expected an array of origins, got the string "https://b.example"',
			undefined,
		],
		[
			'credentials on under the top level\'s "*"',
			{ origins: ["*"], routes: { "/r": { credentials: true } } },
			'routes["/r"].credentials',
			"wildcard-with-credentials",
			'"credentials": true with the top level\'s "*" origins: browsers refuse a wildcard on credentialed requests, and reflecting every origin would let any site act as the user',
			'give the route its own "origins", or leave credentials off',
		],
		[
			"shards in a route",
			{ origins: A, routes: { "/r": { shards: {} } } },
			'routes["/r"].shards',
			"unknown-field",
			'unknown field "shards"',
			"the shard manifest is top-level only: list a route's own origins inline, or leave out its \"origins\" to use the top level's",
		],
		[
			"routes in a route",
			{ origins: A, routes: { "/r": { routes: {} } } },
			'routes["/r"].routes',
			"unknown-field",
			'unknown field "routes"',
			"routes do not nest: write the longer key at the top of routes",
		],
		[
			"$schema in a route",
			{ origins: A, routes: { "/r": { $schema: "x" } } },
			'routes["/r"].$schema',
			"unknown-field",
			'unknown field "$schema"',
			"remove it; $schema belongs at the top of the document",
		],
		[
			`${MAX_ROUTES + 1} routes`,
			{ origins: [], routes: Object.fromEntries(many(MAX_ROUTES + 1, (i) => [`/r${i}`, {}])) },
			"routes",
			"routes-too-many",
			`${MAX_ROUTES + 1} routes; a document has at most ${MAX_ROUTES}`,
			"merge routes that share a policy under their common prefix",
		],
		[
			`${MAX_ROUTE_ORIGINS + 1} origins in a route`,
			{ origins: [], routes: { "/r": { origins: many(MAX_ROUTE_ORIGINS + 1, (i) => `https://o${i}.example.com`) } } },
			'routes["/r"].origins',
			"route-origins-too-many",
			`${MAX_ROUTE_ORIGINS + 1} origins; a route lists at most ${MAX_ROUTE_ORIGINS} (its origins are never sharded)`,
			'put the large list at the top level, where it can be sharded, and leave out this route\'s "origins" to use it',
		],
	])("problem: %s", (_rule, doc, path, rule, message, fix) => {
		expect(problems(doc)).toEqual([fix === undefined ? { path, rule, message } : { path, rule, message, fix }]);
	});

	const WARNED = [
		[
			"an empty route",
			{ origins: A, routes: { "/r": {} } },
			'routes["/r"]',
			"route-empty",
			"the route sets nothing, so it decides as the top level does",
			"remove it",
		],
		[
			"an empty origins list",
			{ origins: A, routes: { "/r": { origins: [] } } },
			'routes["/r"].origins',
			"origins-empty",
			"the list is empty: every cross-origin request to this route will be refused",
			undefined,
		],
		[
			"credentials on for inherited plain-http origins",
			{ origins: ["https://a.example", "http://localhost:5173"], routes: { "/r": { credentials: true } } },
			'routes["/r"].credentials',
			"insecure-with-credentials",
			'the route turns credentials on for the top level\'s origins, plain http ones among them ("http://localhost:5173"): anyone on the network path can act as such an origin',
			'give the route its own https "origins"',
		],
	] as const;

	it.each(WARNED)("warning: %s", (_rule, doc, path, rule, message, fix) => {
		const result = validateAllowlist(doc);
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([fix === undefined ? { path, rule, message } : { path, rule, message, fix }]);
	});

	it.each(WARNED)("no warning with warnings: false (the Worker's way): %s", (_rule, doc) => {
		const result = validateAllowlist(doc, { warnings: false });
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([]);
	});

	it("credentials on over https-only inherited origins: no warning", () => {
		expect(validateAllowlist({ origins: A, routes: { "/r": { credentials: true } } }).warnings).toEqual([]);
	});
});
