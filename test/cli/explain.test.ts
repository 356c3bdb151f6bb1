// `check`'s explanation with routes, in process (explain is pure): which route decided,
// where else the same request is allowed, and hints that name the route to edit.
import { describe, expect, it } from "vitest";
import { type CheckRequest, explain } from "../../src/cli/explain.ts";
import { type CorsPolicy, compileAllowlist, refuseAll } from "../../src/policy/index.ts";

function policyOf(doc: object): CorsPolicy {
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result.policy;
}

const APP = "https://app.example.com";
const PARTNER = "https://partner.example";
const ROUTED = policyOf({
	origins: [APP],
	routes: {
		"/partner": { origins: [PARTNER] },
		"/api": { origins: ["https://api-client.example"] },
		"/admin": { methods: ["DELETE"] },
		"assets.example.com/": { origins: ["*"] },
	},
});

function lines(policy: CorsPolicy, request: Partial<CheckRequest>): string[] {
	return explain(policy, { origin: APP, method: "GET", headers: [], host: null, path: "/", ...request }).lines;
}

describe("check names the route that decided", () => {
	it.each([
		["a route's key matches the path", { path: "/api/users" }, 'decided by route "/api"'],
		["no key matches: the top level", { path: "/orders" }, "decided by the top level (no route matches /orders)"],
		["a host key, with --host", { host: "assets.example.com", path: "/api" }, 'decided by route "assets.example.com/"'],
		["without --host, a host key never matches", { path: "/x" }, "decided by the top level (no route matches /x)"],
		["the path as the URL parser reads it", { path: "/x/../api" }, 'decided by route "/api"'],
	])("%s", (_rule, request, line) => {
		expect(lines(ROUTED, request)).toContain(line);
	});

	it("the verdict says where the request goes", () => {
		expect(lines(ROUTED, { path: "/api/users" })[0]).toBe(
			'refused: a page on "https://app.example.com" may not send GET to /api/users',
		);
		expect(lines(ROUTED, { host: "assets.example.com", path: "/f" })[0]).toBe(
			"approved: a page on https://app.example.com may send GET to assets.example.com/f",
		);
	});

	it("a path the URL parser reads otherwise is said so", () => {
		expect(lines(ROUTED, { path: "/a/../api?x=1" })).toContain(
			'(the URL parser reads the path "/a/../api?x=1" as /api)',
		);
	});

	it("without routes and without --host or --path: the output of old, no route line", () => {
		const out = lines(policyOf({ origins: [APP] }), {});
		expect(out[0]).toBe("approved: a page on https://app.example.com may send GET");
		expect(out.join("\n")).not.toContain("decided by");
	});

	it("without routes, a --path is answered: the top level decides", () => {
		expect(lines(policyOf({ origins: [APP] }), { path: "/api" })).toContain(
			"decided by the top level (the allowlist has no routes)",
		);
	});

	it("no allowlist loaded: no route line", () => {
		expect(lines(refuseAll("none stored"), { path: "/api" }).join("\n")).not.toContain("decided by");
	});
});

describe("a refusal lists where else the same request is allowed", () => {
	it.each([
		[
			'an origin another route lists (and a "*" route admits)',
			{ origin: PARTNER, path: "/api" },
			"allowed on /partner and assets.example.com/, not on /api",
		],
		[
			"the top level and routes that inherit its origins, in key order",
			{ path: "/api" },
			"allowed on the top level, /admin and assets.example.com/, not on /api",
		],
		[
			"a method only a route allows, refused at the top level",
			{ method: "DELETE", path: "/orders" },
			"allowed on /admin, not on the top level",
		],
	])("%s", (_rule, request, line) => {
		expect(lines(ROUTED, request)).toContain(`  - ${line}`);
	});

	it("none when no route would approve it", () => {
		const policy = policyOf({ origins: [APP], routes: { "/api": { origins: [PARTNER] } } });
		expect(lines(policy, { origin: "https://evil.example", path: "/api" }).join("\n")).not.toContain("allowed on");
	});

	it("none when approved", () => {
		expect(lines(ROUTED, { path: "/orders" }).join("\n")).not.toContain("allowed on");
	});

	it("the top level is never named when a / key leaves no path to it", () => {
		const policy = policyOf({
			origins: [APP],
			routes: { "/": { origins: [PARTNER] }, "/api": { origins: ["https://x.example"] } },
		});
		expect(lines(policy, { path: "/api" }).join("\n")).not.toContain("allowed on");
		expect(lines(policy, { origin: PARTNER, path: "/api" })).toContain("  - allowed on /, not on /api");
	});

	it("at most five places are named, the rest counted", () => {
		const routes = Object.fromEntries(["/a", "/b", "/c", "/d", "/e", "/f", "/g"].map((k) => [k, {}]));
		const policy = policyOf({ origins: [APP], routes: { ...routes, "/z": { origins: [PARTNER] } } });
		expect(lines(policy, { path: "/z" })).toContain(
			"  - allowed on the top level, /a, /b, /c, /d and 3 more, not on /z",
		);
	});
});

describe("the hints name the route to edit", () => {
	it.each([
		[
			"a route with its own origins: add --route",
			{ path: "/api" },
			"to allow it: cors-gateway add --route /api https://app.example.com",
		],
		[
			"a route that inherits the origins: the top level's",
			{ origin: "https://new.example", path: "/admin" },
			"to allow it: cors-gateway add https://new.example (route /admin uses the top level's origins)",
		],
		[
			"a route's own methods",
			{ method: "PUT", path: "/admin" },
			'to allow it: add "PUT" to routes["/admin"].methods; edit it',
		],
		[
			"a route that inherits the methods",
			{ method: "PUT", path: "/partner", origin: PARTNER },
			'to allow it: add "PUT" to "methods" (routes["/partner"] uses the top level\'s); edit it',
		],
		["the effective methods of the route", { method: "PUT", path: "/admin" }, "the methods of route /admin are DELETE"],
	])("%s", (_rule, request, hint) => {
		expect(lines(ROUTED, request).join("\n")).toContain(`  - ${hint}`);
	});
});

describe("check explains origin patterns: which one admitted, and the near misses", () => {
	const PATTERNS = policyOf({
		origins: ["http://localhost:*", "https://pr-*.preview.example.com", "https://*.tenant.example.com:*"],
	});

	it.each([
		["any port", "http://localhost:5173", 'approved by the entry "http://localhost:*"'],
		["a glob", "https://pr-12.preview.example.com", 'approved by the entry "https://pr-*.preview.example.com"'],
		[
			"a wildcard on any port",
			"https://a.tenant.example.com:8443",
			'approved by the entry "https://*.tenant.example.com:*"',
		],
	])("approved by %s: %s", (_rule, origin, line) => {
		expect(lines(PATTERNS, { origin }).some((l) => l.includes(line))).toBe(true);
	});

	it.each([
		[
			"any port, another scheme",
			"https://localhost:5173",
			'"http://localhost:*" is listed, but this page is served over https: the scheme is part of the origin',
		],
		[
			"a glob's parent itself",
			"https://preview.example.com",
			'"https://pr-*.preview.example.com" matches hosts under preview.example.com only, never preview.example.com itself',
		],
		[
			"a glob that would need a dot",
			"https://pr-1.x.preview.example.com",
			'"https://pr-*.preview.example.com" matches one label before preview.example.com: its * never stands for a dot, and pr-1.x has 2 labels',
		],
		[
			"a glob's * over another character",
			"https://pr-a_b.preview.example.com",
			'"https://pr-*.preview.example.com": its * stands for letters, digits and - only, and "a_b" has another character',
		],
		[
			"a glob's host on another port",
			"https://pr-1.preview.example.com:8443",
			'"https://pr-*.preview.example.com" covers pr-1.preview.example.com, but only over https on the default port',
		],
		[
			"a wildcard on any port, another scheme",
			"http://a.tenant.example.com:8443",
			'"https://*.tenant.example.com:*" covers a.tenant.example.com, but only over https on any port',
		],
		[
			"a wildcard on any port, the apex",
			"https://tenant.example.com:8443",
			'"https://*.tenant.example.com:*" matches subdomains of tenant.example.com only, never tenant.example.com itself',
		],
	])("refused, with the near miss: %s", (_rule, origin, hint) => {
		const out = lines(PATTERNS, { origin });
		expect(out[0]).toMatch(/^refused/);
		expect(out).toContain(`  - ${hint}`);
	});

	it("a host no pattern comes near: no near miss, only how to allow it", () => {
		const out = lines(PATTERNS, { origin: "https://evil.example.net" });
		expect(out.filter((l) => l.startsWith("  - "))).toEqual([
			"  - to allow it: cors-gateway add https://evil.example.net",
		]);
	});
});

describe("check says when the policy that decides only reports", () => {
	const REPORT = "report-only: the gateway enforces none of what follows";
	const doc = { origins: [APP], mode: "report-only", routes: { "/strict": { mode: "enforce" } } };
	it.each([
		["a report-only top level", { path: "/orders" }, true],
		["an enforcing route under it", { path: "/strict/x" }, false],
		["an enforcing document", { path: "/orders" }, false],
	])("%s", (rule, request, reports) => {
		const policy = policyOf(rule === "an enforcing document" ? { origins: [APP] } : doc);
		expect(lines(policy, request).some((l) => l.startsWith(REPORT))).toBe(reports);
	});
});
