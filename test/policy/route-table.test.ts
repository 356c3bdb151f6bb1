// docs/SPEC.md "Routes": which key serves a request, one row per rule. Requests are given
// as URLs and read as the Worker reads them (URL#hostname, URL#pathname).
import { describe, expect, it } from "vitest";
import { parseRouteKey, type RouteKey, RouteTable } from "../../src/policy/index.ts";

function key(raw: string): RouteKey {
	const parsed = parseRouteKey(raw);
	if ("rule" in parsed) throw new Error(`${raw}: ${parsed.message}`);
	return parsed;
}

/** A table whose value for each key is the key as written. */
function table(...raws: string[]): RouteTable<string> {
	return new RouteTable(raws.map((raw) => [key(raw), raw] as const));
}

function lookup(t: RouteTable<string>, url: string): string | undefined {
	const u = new URL(url);
	return t.lookup(u.hostname, u.pathname);
}

const KEYS = [
	"/",
	"/api",
	"/api/v2",
	"/fonts/",
	"api.example.com/",
	"api.example.com/v2/admin",
	"a.example.com/api",
	"bücher.example/",
];

describe("route lookup", () => {
	it.each([
		["a prefix matches itself", "/api", "https://gw.test/api", "/api"],
		["a prefix matches below it", "/api", "https://gw.test/api/orders/1", "/api"],
		["a prefix matches itself with a trailing /", "/api", "https://gw.test/api/", "/api"],
		["never past a / boundary", "/api", "https://gw.test/apix", "/"],
		["never a shorter path", "/api/v2", "https://gw.test/api/v", "/api"],
		["the longest prefix wins", "/api/v2", "https://gw.test/api/v2/orders", "/api/v2"],
		["a key written with a trailing / matches without it", "/fonts/", "https://gw.test/fonts", "/fonts/"],
		["the root matches every path", "/", "https://gw.test/anything/else", "/"],
		[
			"a host key beats a longer hostless key",
			"api.example.com/",
			"https://api.example.com/api/v2/x",
			"api.example.com/",
		],
		[
			"among a host's keys, the longest prefix wins",
			"api.example.com/v2/admin",
			"https://api.example.com/v2/admin/users",
			"api.example.com/v2/admin",
		],
		["a host key matches only its host", "a.example.com/api", "https://b.example.com/api/x", "/api"],
		["a host key whose path does not match falls back to hostless keys", "/api", "https://a.example.com/apix", "/"],
		["the host case-insensitively", "api.example.com/", "https://API.Example.COM/x", "api.example.com/"],
		[
			"an IDN host, as the URL parser gives it (punycode)",
			"bücher.example/",
			"https://BÜCHER.example/x",
			"bücher.example/",
		],
		["the port ignored", "api.example.com/", "https://api.example.com:8443/x", "api.example.com/"],
		["the query is never part of the path", "/api", "https://gw.test/api?next=/fonts/x", "/api"],
		["a query that looks like a longer key", "/api", "https://gw.test/api?/v2", "/api"],
		["dot segments are resolved first", "/fonts/", "https://gw.test/api/../fonts/a.woff", "/fonts/"],
		["an encoded / is no boundary: /api%2Fv2 is not under /api", "/", "https://gw.test/api%2Fv2/x", "/"],
	])("%s (%s)", (_rule, _key, url, expected) => {
		expect(lookup(table(...KEYS), url)).toBe(expected);
	});

	it.each([
		["no key matches", table("/api", "/fonts"), "https://gw.test/other"],
		["a host key of another host", table("a.example.com/"), "https://b.example.com/"],
		["a prefix of the path but not at a boundary", table("/api"), "https://gw.test/apiv2"],
		["a path shorter than the key", table("/api/v2"), "https://gw.test/api"],
		["a key of the same path on another host", table("a.example.com/api"), "https://gw.test/api"],
	])("none when %s: the top level decides", (_rule, t, url) => {
		expect(lookup(t, url)).toBeUndefined();
	});

	it("compares the host without a trailing dot, and a host given with a port", () => {
		const t = table("api.example.com/");
		expect(t.lookup("api.example.com.", "/")).toBe("api.example.com/");
		expect(t.lookup("API.example.com:8443", "/")).toBe("api.example.com/");
	});

	it("a path longer than every key and deeper than the deepest is read only as far as the keys reach", () => {
		const t = table("/a/b", "/a");
		const hostile = `/a/b/${"x/".repeat(4000)}`;
		expect(t.lookup("gw.test", hostile)).toBe("/a/b");
		expect(t.lookup("gw.test", `/a/${"b".repeat(8192)}`)).toBe("/a");
		expect(t.lookup("gw.test", `/${"a".repeat(8192)}`)).toBeUndefined();
	});

	it("a path that is not a URL path (no leading /) matches only the root", () => {
		expect(table("/", "/api").lookup("gw.test", "api/x")).toBe("/");
		expect(table("/api").lookup("gw.test", "")).toBeUndefined();
	});

	it("refuses a key given twice: callers report repeats before building", () => {
		expect(() => table("/api", "/api/")).toThrow(/twice/);
	});

	it("with 1,000 keys, each still wins its own paths", () => {
		const raws = Array.from({ length: 1000 }, (_, i) => `/t${i}/v${i % 7}`);
		const t = table(...raws, "/t5", "h3.example.com/t3");
		for (let i = 0; i < 1000; i += 37) expect(lookup(t, `https://gw.test/t${i}/v${i % 7}/x`)).toBe(`/t${i}/v${i % 7}`);
		expect(lookup(t, "https://gw.test/t5/other")).toBe("/t5");
		expect(lookup(t, "https://h3.example.com/t3/v3")).toBe("h3.example.com/t3");
		expect(t.size).toBe(1002);
	});
});
