// docs/SPEC.md "Fine points": the request's Origin is scanned against the
// serialized-origin grammar, never repaired by a URL parser.
import { describe, expect, it } from "vitest";
import { canonicalOrigin } from "../../src/policy/index.ts";

describe("canonicalOrigin: what a request's Origin header is compared as", () => {
	it.each([
		["browser form is kept as is", "https://app.example.com", "https://app.example.com"],
		["scheme is case-insensitive", "HTTPS://app.example.com", "https://app.example.com"],
		["host is case-insensitive", "https://App.Example.COM", "https://app.example.com"],
		["default https port is the same origin as none", "https://app.example.com:443", "https://app.example.com"],
		["default http port is the same origin as none", "http://app.example.com:80", "http://app.example.com"],
		["a non-default port is kept", "https://app.example.com:8443", "https://app.example.com:8443"],
		["port 443 on http is not default", "http://app.example.com:443", "http://app.example.com:443"],
		["hosts may contain _", "https://my_app.example.com", "https://my_app.example.com"],
		["punycode hosts as browsers send them", "https://xn--bcher-kva.example", "https://xn--bcher-kva.example"],
		["IPv6 literal", "http://[::1]:8080", "http://[::1]:8080"],
		["IPv6 literal, upper-case hex", "http://[FE80::1]", "http://[fe80::1]"],
		["IPv4 address", "http://127.0.0.1:5173", "http://127.0.0.1:5173"],
		["the opaque origin", "null", "null"],
	])("%s: %s", (_rule, input, expected) => {
		expect(canonicalOrigin(input)).toBe(expected);
	});

	it.each([
		["empty Origin", "", "origin-empty"],
		["longer than 512 bytes", `https://${"a".repeat(520)}.com`, "origin-too-long"],
		["a path", "https://app.example.com/", "origin-malformed"],
		["a path after a port", "https://app.example.com:8443/x", "origin-malformed"],
		["a query", "https://app.example.com?x", "origin-malformed"],
		["a fragment", "https://app.example.com#x", "origin-malformed"],
		["user-info", "https://user@app.example.com", "origin-malformed"],
		["a backslash", "https://app.example.com\\evil.com", "origin-malformed"],
		["a leading zero in the port", "https://app.example.com:0443", "origin-malformed"],
		["port above 65535", "https://app.example.com:65536", "origin-malformed"],
		["an empty port", "https://app.example.com:", "origin-malformed"],
		["a trailing dot", "https://app.example.com.", "origin-malformed"],
		["an empty label", "https://app..example.com", "origin-malformed"],
		["no host", "https://", "origin-malformed"],
		["no scheme", "app.example.com", "origin-malformed"],
		["another scheme", "ftp://app.example.com", "origin-malformed"],
		["a scheme that only starts like http", "httpx://app.example.com", "origin-malformed"],
		["whitespace", " https://app.example.com", "origin-malformed"],
		["trailing whitespace", "https://app.example.com ", "origin-malformed"],
		["two Origin headers joined by the runtime", "https://a.example.com, https://b.example.com", "origin-malformed"],
		["a wildcard", "https://*.example.com", "origin-malformed"],
		["non-ASCII host (browsers send punycode)", "https://bücher.example", "origin-malformed"],
		["a control character", "https://app.example.com\u0000", "origin-malformed"],
		["null in another case", "NULL", "origin-malformed"],
		["an unclosed IPv6 literal", "http://[::1", "origin-malformed"],
		["an empty IPv6 literal", "http://[]", "origin-malformed"],
	])("refuses %s: %j", (_rule, input, fault) => {
		expect(canonicalOrigin(input)).toBe(fault);
	});
});
