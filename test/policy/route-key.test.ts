// docs/SPEC.md "Routes": the grammar of a route key, one row per rule.
import { describe, expect, it } from "vitest";
import { MAX_ROUTE_DEPTH, MAX_ROUTE_PREFIX_LENGTH, parseRouteKey } from "../../src/policy/index.ts";

describe("route keys: valid forms and their normal form", () => {
	it.each([
		["a path prefix", "/api", { host: null, prefix: "/api", depth: 1, text: "/api" }],
		["the root", "/", { host: null, prefix: "/", depth: 0, text: "/" }],
		["a trailing / is dropped", "/api/", { host: null, prefix: "/api", depth: 1, text: "/api" }],
		["several segments", "/api/v2/orders", { host: null, prefix: "/api/v2/orders", depth: 3, text: "/api/v2/orders" }],
		["a host and the root", "assets.example.com/", { host: "assets.example.com", prefix: "/", depth: 0 }],
		["a host and a path", "api.example.com/v2", { host: "api.example.com", prefix: "/v2", text: "api.example.com/v2" }],
		["the host is lowercased", "API.Example.COM/v2", { host: "api.example.com", text: "api.example.com/v2" }],
		[
			"an IDN host becomes punycode",
			"bücher.example/",
			{ host: "xn--bcher-kva.example", text: "xn--bcher-kva.example/" },
		],
		["a host with _", "my_api.example.com/", { host: "my_api.example.com" }],
		["a single-label host", "localhost/api", { host: "localhost", prefix: "/api" }],
		["a dotted IPv4 host", "127.0.0.1/api", { host: "127.0.0.1" }],
		["path case is kept", "/API/Orders", { prefix: "/API/Orders" }],
		["every literal path character", "/a-b._~!$&'()*+,;=:@z", { prefix: "/a-b._~!$&'()*+,;=:@z" }],
		["a segment that merely contains dots", "/v1.2/...x", { prefix: "/v1.2/...x" }],
		[
			`${MAX_ROUTE_DEPTH} segments`,
			"/a".repeat(MAX_ROUTE_DEPTH),
			{ depth: MAX_ROUTE_DEPTH, prefix: "/a".repeat(MAX_ROUTE_DEPTH) },
		],
		[`a ${MAX_ROUTE_PREFIX_LENGTH}-character path`, `/${"a".repeat(MAX_ROUTE_PREFIX_LENGTH - 1)}`, { depth: 1 }],
	])("%s: %j", (_rule, raw, expected) => {
		expect(parseRouteKey(raw)).toMatchObject(expected);
	});
});

describe("route keys: each malformed form is refused with its rule and fix", () => {
	it.each([
		["empty", "", "route-key-empty", '"/api"'],
		["whitespace", " /api", "route-key-whitespace", 'use "/api"'],
		["whitespace inside", "/my api", "route-key-whitespace", undefined],
		["a scheme", "https://api.example.com/v2", "route-key-scheme", 'use "api.example.com/v2"'],
		["a scheme, no path", "https://api.example.com", "route-key-scheme", 'use "api.example.com/"'],
		["no leading /", "api", "route-key-no-path", '"/api"'],
		["a host without a path", "api.example.com", "route-key-no-path", '"api.example.com/"'],
		["a port", "api.example.com:8443/v2", "route-key-port", 'use "api.example.com/v2"'],
		["a wildcard host", "*.example.com/", "route-key-host-wildcard", "one key per host"],
		["an IPv6 host", "[::1]/api", "route-key-host", undefined],
		["user-info", "user@api.example.com/", "route-key-host", undefined],
		["a host the URL parser rewrites", "1.2/api", "route-key-host", 'use "1.0.0.2/api"'],
		["a percent-encoded host", "ex%61mple.com/", "route-key-host", 'use "example.com/"'],
		["a host with a trailing dot", "example.com./", "host-empty-label", undefined],
		["a host with an empty label", "a..example.com/", "host-empty-label", undefined],
		["a host label over 63 characters", `${"a".repeat(64)}.example.com/`, "host-label-too-long", undefined],
		["a host character", "a!b.example.com/", "host-invalid-character", undefined],
		["a query", "/api?x=1", "route-key-query", 'use "/api"'],
		["a fragment", "/api#top", "route-key-fragment", 'use "/api"'],
		["a query at the root", "/?x", "route-key-query", 'use "/"'],
		["a backslash", "/api\\v2", "route-key-backslash", 'use "/api/v2"'],
		["an empty segment", "/api//v2", "route-key-empty-segment", 'use "/api/v2"'],
		["a doubled root", "//", "route-key-empty-segment", 'use "/"'],
		["two trailing slashes", "/api//", "route-key-empty-segment", 'use "/api/"'],
		["a . segment", "/api/./v2", "route-key-dot-segment", 'use "/api/v2"'],
		["a .. segment", "/api/../admin", "route-key-dot-segment", 'use "/admin"'],
		["a trailing .. segment", "/api/..", "route-key-dot-segment", 'use "/"'],
		["percent-encoding", "/api%2Fadmin", "route-key-percent", undefined],
		["an encoded dot", "/%2e%2e/admin", "route-key-percent", undefined],
		["a character a URL encodes", "/caf\u00e9", "route-key-character", undefined],
		["a quote", '/a"b', "route-key-character", undefined],
		["a |", "/a|b", "route-key-character", undefined],
		[`over ${MAX_ROUTE_DEPTH} segments`, "/a".repeat(MAX_ROUTE_DEPTH + 1), "route-key-too-deep", undefined],
		[
			`a path over ${MAX_ROUTE_PREFIX_LENGTH} characters`,
			`/${"a".repeat(MAX_ROUTE_PREFIX_LENGTH)}`,
			"route-key-too-long",
			undefined,
		],
	])("%s: %j", (_rule, raw, rule, fix) => {
		const result = parseRouteKey(raw);
		expect(result).toMatchObject({ rule });
		if (fix !== undefined) expect((result as { fix?: string }).fix).toContain(fix);
	});
});
