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

describe("canonicalOrigin: the grammar's edges, one row per rule", () => {
	const host512 = `https://${["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(63), "f".repeat(63), "g".repeat(63), "h".repeat(56)].join(".")}`;

	it.each([
		["an Origin of exactly 512 bytes", host512, host512],
		["upper-case scheme and host keep a non-default port", "HTTPS://A.example:8443", "https://a.example:8443"],
		["the last upper-case letter", "https://Z.example", "https://z.example"],
		["the last lower-case letter", "https://z.example", "https://z.example"],
		["IPv6 hex digits a to f", "http://[::a:f]", "http://[::a:f]"],
		["IPv6 hex digits A to F", "http://[::A:F]", "http://[::a:f]"],
		["IPv6 with an embedded IPv4 address", "http://[::ffff:1.2.3.4]", "http://[::ffff:1.2.3.4]"],
	])("%s", (_rule, input, expected) => {
		expect(canonicalOrigin(input)).toBe(expected);
	});

	it.each([
		["a scheme starting with another letter", "jttp://a.example"],
		["a second letter that is not t", "hxtp://a.example"],
		["a third letter that is not t", "htxp://a.example"],
		["a fourth letter that is not p", "httx://a.example"],
		["no slashes after the scheme", "https:a.example"],
		["one slash after the scheme", "https:/a.example"],
		["no colon after the scheme", "https//a.example"],
		["a letter instead of the first slash", "https:x/a.example"],
		["a letter instead of the second slash", "https:/xa.example"],
		["a port after another separator", "https://a.example;8080"],
		["IPv6 with a letter past f", "http://[::g]"],
		["IPv6 with a letter past F", "http://[::G]"],
		["six port digits", "https://a.example:123456"],
	])("refuses %s: %j", (_rule, input) => {
		expect(canonicalOrigin(input)).toBe("origin-malformed");
	});

	it("refuses one byte over 512", () => {
		expect(canonicalOrigin(`${host512}a`)).toBe("origin-too-long");
	});
});
