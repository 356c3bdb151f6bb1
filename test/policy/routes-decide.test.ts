// docs/SPEC.md "Routes": a request is decided by its route's effective policy, one row per
// rule, through compileAllowlist as the Worker compiles a document.
import { describe, expect, it } from "vitest";
import {
	type CorsPolicy,
	type CorsRequest,
	compileAllowlist,
	type Decision,
	type OriginSource,
	settle,
} from "../../src/policy/index.ts";
import { ONE_SHARD } from "../support/manifest.ts";

const SELF = "https://gw.example.net";

function policyOf(doc: object): CorsPolicy {
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.policy;
}

/** A request to `url` as the Worker reads it: host and path from the URL. */
function at(url: string, origin: string | null, method = "GET", requestMethod: string | null = null): CorsRequest {
	const u = new URL(url);
	return { method, origin, requestMethod, requestHeaders: null, selfOrigin: SELF, host: u.hostname, path: u.pathname };
}

function header(d: Decision, name: string): string | undefined {
	return d.headers.find(([n]) => n === name)?.[1];
}

const APP = "https://app.example.com";
const OTHER = "https://other.example.net";
const policy = policyOf({
	origins: [APP],
	credentials: true,
	methods: ["PUT"],
	maxAge: 300,
	routes: {
		"/fonts": { origins: ["*"], credentials: false },
		"/partners": { origins: [OTHER] },
		"/admin": { methods: ["DELETE"], maxAge: 5 },
		"api.example.com/": { origins: [OTHER], credentials: false },
	},
});

describe("each request is decided by its route's effective policy", () => {
	it.each([
		["a path under no key: the top level", `${SELF}/orders`, APP, "forward", null],
		["the top level refuses an origin only a route lists", `${SELF}/orders`, OTHER, "refuse", null],
		['a route with "*" admits any origin', `${SELF}/fonts/a.woff2`, OTHER, "forward", "/fonts"],
		["a route's origins replace the top level's", `${SELF}/partners/x`, APP, "refuse", "/partners"],
		["a route admits its own origins", `${SELF}/partners/x`, OTHER, "forward", "/partners"],
		["a route without origins admits the top level's", `${SELF}/admin/users`, APP, "forward", "/admin"],
		["a route without origins refuses what the top level refuses", `${SELF}/admin/users`, OTHER, "refuse", "/admin"],
		["never past a / boundary", `${SELF}/fontsx`, OTHER, "refuse", null],
		["a host key beats a longer hostless key", "https://api.example.com/fonts/x", OTHER, "forward", "api.example.com/"],
		["a host key of another host does not apply", "https://www.example.com/", OTHER, "refuse", null],
	])("%s", (_rule, url, origin, action, route) => {
		expect(policy.decide(at(url, origin))).toMatchObject({ action, route });
	});

	it('a "*" route answers with "*" and no credentials, where the top level reflects with credentials', () => {
		const fonts = policy.decide(at(`${SELF}/fonts/a.woff2`, APP));
		expect(header(fonts, "Access-Control-Allow-Origin")).toBe("*");
		expect(header(fonts, "Access-Control-Allow-Credentials")).toBeUndefined();
		const top = policy.decide(at(`${SELF}/orders`, APP));
		expect(header(top, "Access-Control-Allow-Origin")).toBe(APP);
		expect(header(top, "Access-Control-Allow-Credentials")).toBe("true");
	});

	it('a "*" route answers requests without Origin with "*" too; the top level with Vary: Origin', () => {
		expect(policy.decide(at(`${SELF}/fonts/a.woff2`, null))).toMatchObject({
			action: "forward",
			cors: false,
			vary: null,
			route: "/fonts",
		});
		expect(policy.decide(at(`${SELF}/orders`, null))).toMatchObject({ cors: false, vary: "Origin", route: null });
	});

	it("a preflight is decided by the route of its own URL: methods and maxAge per route", () => {
		const admin = policy.decide(at(`${SELF}/admin/users/1`, APP, "OPTIONS", "DELETE"));
		expect(admin).toMatchObject({ action: "preflight", route: "/admin" });
		expect(header(admin, "Access-Control-Allow-Methods")).toBe("DELETE");
		expect(header(admin, "Access-Control-Max-Age")).toBe("5");
		expect(policy.decide(at(`${SELF}/orders`, APP, "OPTIONS", "DELETE"))).toMatchObject({
			action: "refuse",
			reason: "method-not-allowed",
			route: null,
		});
		expect(policy.decide(at(`${SELF}/admin/users/1`, APP, "OPTIONS", "PUT"))).toMatchObject({
			action: "refuse",
			reason: "method-not-allowed",
			route: "/admin",
		});
		expect(header(policy.decide(at(`${SELF}/orders`, APP, "OPTIONS", "PUT")), "Access-Control-Max-Age")).toBe("300");
	});

	it("a refusal names its route", () => {
		expect(policy.decide(at(`${SELF}/partners`, "https://evil.example"))).toMatchObject({
			action: "refuse",
			reason: "origin-not-allowed",
			route: "/partners",
		});
	});

	it("a document without routes decides every path with the top level", () => {
		const plain = policyOf({ origins: [APP] });
		for (const url of [`${SELF}/`, `${SELF}/fonts/x`, "https://api.example.com/x"])
			expect(plain.decide(at(url, APP))).toMatchObject({ action: "forward", route: null });
	});
});

describe("policyFor: the policy decide uses, with its effective settings (for explaining a decision)", () => {
	it.each([
		["a path under no key: the top level itself", SELF, "/orders", null],
		["a route that sets fields: its own, the rest inherited", SELF, "/admin/users", "/admin"],
		["a host key beats a longer hostless key", "https://api.example.com", "/fonts/x", "api.example.com/"],
	])("%s", (_rule, base, path, route) => {
		const routed = policyFor(policy, base, path);
		expect(routed.route).toBe(route);
		if (route === null) expect(routed).toBe(policy);
		expect(policy.decide(at(`${base}${path}`, APP))).toMatchObject({ route });
	});

	it("a route's document holds its effective settings: what it sets, the top level's for the rest", () => {
		expect(policyFor(policy, SELF, "/admin").document).toEqual({
			origins: [APP],
			credentials: true,
			methods: ["DELETE"],
			headers: [],
			exposeHeaders: [],
			maxAge: 5,
		});
	});

	it("without routes, every host and path gets the policy itself", () => {
		const plain = policyOf({ origins: [APP] });
		expect(plain.policyFor("api.example.com", "/fonts")).toBe(plain);
	});
});

/** policyFor for a request to `base` + `path`, host as the Worker reads it from the URL. */
function policyFor(p: CorsPolicy, base: string, path: string) {
	return p.policyFor(new URL(base).hostname, path);
}

describe("sharded origins: routes that inherit them ask the same source", () => {
	/** Origins outside the document, as a sharded allowlist's are: every one read asynchronously. */
	function source(listed: string[]): OriginSource {
		return {
			match: () => undefined,
			find: async (key) => (listed.includes(key) ? key : null),
		};
	}
	const sharded = policyOf({
		origins: [],
		shards: ONE_SHARD,
		routes: { "/inherits": { maxAge: 1 }, "/own": { origins: [APP] } },
	}).withSource(source([OTHER]));

	it.each([
		["the top level looks the origin up", `${SELF}/x`, OTHER, "forward", null],
		[
			"a route without origins looks it up in the top level's source",
			`${SELF}/inherits/x`,
			OTHER,
			"forward",
			"/inherits",
		],
		["a route with its own origins never asks the source", `${SELF}/own/x`, OTHER, "refuse", "/own"],
		["a route with its own origins admits them", `${SELF}/own/x`, APP, "forward", "/own"],
	])("%s", async (_rule, url, origin, action, route) => {
		const first = sharded.decide(at(url, origin));
		expect(first.action === "lookup").toBe(route !== "/own");
		expect(await settle(first)).toMatchObject({ action, route });
	});
});
