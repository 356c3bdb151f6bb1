// Hostile input end to end inside workerd: generated Origin, Access-Control-Request-Method
// and Access-Control-Request-Headers values (fewer runs than the Node property tests, each
// a real request through the gateway to the real upstream), and the misconfiguration
// probes of CORS scanners. None may cause a 5xx, reach the upstream when refused, or get
// an approval that the reference model of docs/SPEC.md (test/support/spec-model.ts) does not give.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { accessControl, GATEWAY, newTag, putAllowlist, received, testGateway } from "../support/gateway.ts";
import { refAllowedOrigin, refHeadersApproved, refMethodApproved } from "../support/spec-model.ts";

const TRUSTED = ["https://example.com", "https://*.example.com", "http://localhost:5173"];
const METHODS = ["PUT", "DELETE"];
const HEADERS = ["x-custom", "authorization"];
// Credentials on: the configuration where a CORS mistake hurts most.
const POLICY = { origins: TRUSTED, credentials: true, methods: METHODS, headers: HEADERS, exposeHeaders: ["x-id"] };

beforeAll(async () => {
	await putAllowlist(POLICY);
});

/** A control character (tab excepted): not allowed in an HTTP/1.1 header value. */
function isControl(ch: string): boolean {
	const c = ch.charCodeAt(0);
	return (c < 0x20 && c !== 0x09) || c === 0x7f;
}

// Everything a header value can carry through the runtime: printable ASCII, tab, Latin-1,
// and the bytes that matter to origin and list parsing.
const headerChar = fc.oneof(
	fc.constantFrom(..."htps:/.[]*@%`_-exampl.com0123456789:\\ \t,?#;=!~$&'()+{}|<>\"^"),
	fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const headerValue = (max: number) => fc.string({ unit: headerChar, maxLength: max });
const nearTrusted = fc
	.tuple(
		fc.constantFrom("https://example.com", "https://app.example.com", "http://localhost:5173", "http://example.com"),
		fc.constantFrom("", "", ":443", ":8443", ".", "/", "%60.evil.com", "_.evil.com", ".evil.com", "@evil.com"),
		fc.constantFrom("", "", "X", "evil"),
	)
	.map(([base, tail, head]) => (head === "" ? `${base}${tail}` : base.replace("://", `://${head}`) + tail));

const originHeaders = fc.oneof(
	{ weight: 4, arbitrary: fc.array(fc.oneof(nearTrusted, headerValue(30)), { minLength: 1, maxLength: 1 }) },
	{ weight: 1, arbitrary: fc.constant([] as string[]) },
	// Several Origin headers: refused even when each one alone would be allowed.
	{ weight: 1, arbitrary: fc.array(nearTrusted, { minLength: 2, maxLength: 3 }) },
	{ weight: 1, arbitrary: fc.array(fc.constant(`https://${"a".repeat(600)}.example.com`), { maxLength: 1 }) },
);
const requestMethod = fc.option(
	fc.oneof(fc.constantFrom("GET", "PUT", "put", "PATCH", "DELETE", "", "CONNECT"), headerValue(20)),
	{ nil: undefined },
);
const requestHeaders = fc.option(
	fc.oneof(
		fc
			.array(fc.constantFrom("x-custom", "Authorization", "content-type", "x-other", "cookie", "", " ", "x y"))
			.map((l) => l.join(",")),
		fc.string({ unit: fc.constantFrom(",", " ", "\t", "a"), maxLength: 6000 }),
		headerValue(40),
	),
	{ nil: undefined },
);

describe("generated hostile requests, end to end", () => {
	it("never a 5xx, never an approval the model does not give, never forwarded when refused", async () => {
		const gateway = testGateway();
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom("GET", "POST", "OPTIONS", "OPTIONS", "PUT"),
				originHeaders,
				requestMethod,
				requestHeaders,
				async (method, origins, acrm, acrh) => {
					const headers = new Headers();
					const tag = newTag();
					headers.set("x-test-tag", tag);
					for (const origin of origins) headers.append("origin", origin);
					if (acrm !== undefined) headers.set("access-control-request-method", acrm);
					if (acrh !== undefined) headers.set("access-control-request-headers", acrh);
					// What the Worker sees: the runtime joins repeated headers and trims each value.
					const origin = headers.get("origin");
					const sentMethod = headers.get("access-control-request-method");
					const sentHeaders = headers.get("access-control-request-headers");

					const res = await gateway.fetch(new Request(`${GATEWAY}/echo/fuzz`, { method, headers }));
					await res.arrayBuffer();
					const reached = (await received(tag)).length;

					const preflight = method === "OPTIONS" && sentMethod !== null && origin !== null;
					const allowed =
						origin !== null &&
						refAllowedOrigin(TRUSTED, origin) &&
						(!preflight ||
							(refMethodApproved(sentMethod as string, METHODS) &&
								(sentHeaders === null || refHeadersApproved(sentHeaders, HEADERS))));
					if (origin !== null && !allowed) {
						expect(res.status).toBe(403);
						expect(accessControl(res)).toEqual([]);
						expect(reached).toBe(0);
						return;
					}
					if (preflight) {
						expect(res.status).toBe(204);
						expect(reached).toBe(0);
					} else {
						// Forwarded as sent: an upstream that cannot parse a control character in a
						// header answers 400 itself (Node does); that is its answer, not the gateway's.
						const rejects = [origin, sentMethod, sentHeaders].some((v) => v !== null && [...v].some(isControl));
						expect(res.status).toBe(rejects ? 400 : 200);
						expect(reached).toBe(rejects ? 0 : 1);
					}
					if (origin === null) expect(accessControl(res)).toEqual([]);
					else expect(res.headers.get("access-control-allow-origin")).toBe(origin);
				},
			),
			{ numRuns: 150 },
		);
	}, 120_000);
});

// The probes of CORS misconfiguration scanners, for a site that trusts https://example.com
// and its subdomains: every one must be refused, for actual requests and preflights.
const PROBES: [string, string][] = [
	["an arbitrary origin (reflection test)", "https://evil.com"],
	["the null origin", "null"],
	["the trusted domain as a prefix of another", "https://example.com.evil.com"],
	["a trusted subdomain as a prefix of another", "https://app.example.com.evil.com"],
	["the trusted domain as a suffix of another", "https://evilexample.com"],
	["a hyphenated suffix look-alike", "https://not-example.com"],
	["a look-alike TLD", "https://example.co"],
	["an extra TLD", "https://example.com.co"],
	["a backtick after the domain", "https://example.com`.evil.com"],
	["an encoded backtick after the domain", "https://example.com%60.evil.com"],
	["an underscore after the domain", "https://example.com_.evil.com"],
	["a hyphen after the domain", "https://example.com-.evil.com"],
	...[..."!$&'()*+,;=^{}|~\""].map((c): [string, string] => [
		`a ${JSON.stringify(c)} after the domain`,
		`https://example.com${c}.evil.com`,
	]),
	["an encoded NUL after the domain", "https://example.com%00.evil.com"],
	["a backslash after the domain", "https://example.com\\.evil.com"],
	["user-info naming the trusted domain", "https://example.com@evil.com"],
	["user-info before the trusted domain", "https://evil.com@example.com"],
	["a fragment naming the trusted domain", "https://evil.com#.example.com"],
	["a query naming the trusted domain", "https://evil.com?.example.com"],
	["a path naming the trusted domain", "https://evil.com/.example.com"],
	["a trailing dot", "https://example.com."],
	["a trailing slash", "https://example.com/"],
	["the insecure scheme of the trusted domain", "http://example.com"],
	["the insecure scheme of a trusted subdomain", "http://app.example.com"],
	["the insecure scheme of a wildcard host, default port spelled", "http://app.example.com:80"],
	["another port of the trusted domain", "https://example.com:8443"],
	["a port with a leading zero", "https://example.com:0443"],
	["an unrelated scheme", "file://example.com"],
	["a browser-extension origin", "chrome-extension://abcdefghijklmnop"],
	["a wildcard origin", "https://*.example.com"],
	["two origins in one header", "https://example.com https://evil.com"],
	["punycode look-alike of the domain", "https://xn--exmple-cua.com"],
	["leading whitespace kept inside", "https://%20example.com"],
];

describe("CORS scanner probes are all refused", () => {
	it.each(PROBES)("%s: %s", async (_probe, origin) => {
		const gateway = testGateway();
		const tag = newTag();
		const actual = await gateway.fetch("/echo/probe", { headers: { origin, "x-test-tag": tag } });
		expect(actual.status).toBe(403);
		expect(accessControl(actual)).toEqual([]);
		expect(await received(tag)).toEqual([]);
		const pre = await gateway.fetch("/echo/probe", {
			method: "OPTIONS",
			headers: { origin, "access-control-request-method": "PUT", "x-test-tag": tag },
		});
		expect(pre.status).toBe(403);
		expect(accessControl(pre)).toEqual([]);
		expect(await received(tag)).toEqual([]);
	});

	it("while the trusted origins themselves are allowed (the probes test the right thing)", async () => {
		for (const origin of ["https://example.com", "https://app.example.com", "https://a.b.example.com"]) {
			const res = await testGateway().fetch("/echo/probe", { headers: { origin } });
			expect(res.status).toBe(200);
			expect(res.headers.get("access-control-allow-origin")).toBe(origin);
			expect(res.headers.get("access-control-allow-credentials")).toBe("true");
		}
	});
});
