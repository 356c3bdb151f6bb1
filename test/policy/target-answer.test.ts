// docs/SPEC.md "Report-only mode": the target's answer read as a browser reads it (the
// Fetch standard's CORS check and preflight checks), one row per rule, then compared with
// the allowlist's decision, one row per kind of difference.
import { describe, expect, it } from "vitest";
import { type CorsRequest, compareWithTarget, compileAllowlist, type Decision } from "../../src/policy/index.ts";
import { readAnswer } from "../../src/policy/target-answer.ts";

const APP = "https://app.example.com";
const SELF = "https://gw.example.net";

function request(
	origin: string | null,
	method = "GET",
	requestMethod: string | null = null,
	requestHeaders: string | null = null,
): CorsRequest {
	return { method, origin, requestMethod, requestHeaders, selfOrigin: SELF, host: "gw.example.net", path: "/api" };
}
const preflight = (requestMethod: string, requestHeaders: string | null = null) =>
	request(APP, "OPTIONS", requestMethod, requestHeaders);

function answer(status: number, headers: Record<string, string | undefined>) {
	return {
		status,
		headers: new Headers(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)),
	};
}

const ACAO = "access-control-allow-origin";
const ACAC = "access-control-allow-credentials";
const ACAM = "access-control-allow-methods";
const ACAH = "access-control-allow-headers";

describe("an actual request: the CORS check", () => {
	it.each([
		{ rule: "Allow-Origin equal to Origin allows", headers: { [ACAO]: APP }, credentialed: false, refused: null },
		{ rule: '"*" allows an uncredentialed request', headers: { [ACAO]: "*" }, credentialed: false, refused: null },
		{ rule: "no Allow-Origin refuses", headers: {}, credentialed: false, refused: "origin" },
		{
			rule: "another origin refuses",
			headers: { [ACAO]: "https://other.example" },
			credentialed: false,
			refused: "origin",
		},
		{
			rule: "the origin in another case refuses (byte for byte)",
			headers: { [ACAO]: "https://APP.example.com" },
			credentialed: false,
			refused: "origin",
		},
		{ rule: "two values refuse", headers: { [ACAO]: `${APP}, ${APP}` }, credentialed: false, refused: "origin" },
		{
			rule: '"*" refuses a credentialed request',
			headers: { [ACAO]: "*", [ACAC]: "true" },
			credentialed: true,
			refused: "credentials",
		},
		{
			rule: "a credentialed request needs Allow-Credentials: true",
			headers: { [ACAO]: APP },
			credentialed: true,
			refused: "credentials",
		},
		{ rule: "…exactly true", headers: { [ACAO]: APP, [ACAC]: "True" }, credentialed: true, refused: "credentials" },
		{
			rule: "the origin and true allow a credentialed request",
			headers: { [ACAO]: APP, [ACAC]: "true" },
			credentialed: true,
			refused: null,
		},
	])("$rule", ({ headers, credentialed, refused }) => {
		const verdict = readAnswer(request(APP), false, credentialed, answer(200, headers));
		expect(verdict.decision === "refuse" ? verdict.reason : null).toBe(refused);
	});

	it("the status of an actual request is never read", () => {
		expect(readAnswer(request(APP), false, false, answer(500, { [ACAO]: APP }))).toEqual({ decision: "allow" });
	});
});

describe("a preflight: status, origin, then the method and every header", () => {
	const ok = { [ACAO]: APP };
	it.each([
		{
			rule: "a 2xx with the origin allows a safelisted method",
			req: preflight("GET"),
			status: 204,
			headers: ok,
			refused: null,
		},
		{ rule: "a non-ok status refuses", req: preflight("GET"), status: 405, headers: ok, refused: "status" },
		{ rule: "a redirect refuses", req: preflight("GET"), status: 302, headers: ok, refused: "status" },
		{
			rule: "the origin is checked after the status",
			req: preflight("GET"),
			status: 200,
			headers: {},
			refused: "origin",
		},
		{
			rule: "a listed method allows",
			req: preflight("PUT"),
			status: 200,
			headers: { ...ok, [ACAM]: "GET, PUT" },
			refused: null,
		},
		{
			rule: "an unlisted method refuses",
			req: preflight("PUT"),
			status: 200,
			headers: { ...ok, [ACAM]: "DELETE" },
			refused: "method",
		},
		{
			rule: "methods are case-sensitive",
			req: preflight("PATCH"),
			status: 200,
			headers: { ...ok, [ACAM]: "patch" },
			refused: "method",
		},
		{
			rule: '"*" allows any method uncredentialed',
			req: preflight("PATCH"),
			status: 200,
			headers: { ...ok, [ACAM]: "*" },
			refused: null,
		},
		{
			rule: '"*" is no method on a credentialed request',
			req: preflight("PATCH"),
			status: 200,
			headers: { ...ok, [ACAC]: "true", [ACAM]: "*" },
			refused: "method",
		},
		{
			rule: "a malformed method list refuses",
			req: preflight("PUT"),
			status: 200,
			headers: { ...ok, [ACAM]: "PUT PATCH" },
			refused: "method",
		},
		{
			rule: "empty items are tolerated",
			req: preflight("PUT"),
			status: 200,
			headers: { ...ok, [ACAM]: " ,PUT,\t, DELETE" },
			refused: null,
		},
		{
			rule: "a listed header allows, case-insensitively",
			req: preflight("GET", "X-Custom"),
			status: 200,
			headers: { ...ok, [ACAH]: "x-CUSTOM" },
			refused: null,
		},
		{
			rule: "every requested header must be listed",
			req: preflight("GET", "x-custom, x-other"),
			status: 200,
			headers: { ...ok, [ACAH]: "x-custom" },
			refused: "header",
		},
		{
			rule: "a requested content-type must be listed too",
			req: preflight("POST", "content-type"),
			status: 200,
			headers: ok,
			refused: "header",
		},
		{
			rule: '"*" allows any header uncredentialed',
			req: preflight("GET", "x-other"),
			status: 200,
			headers: { ...ok, [ACAH]: "*" },
			refused: null,
		},
		{
			rule: '"*" is no header on a credentialed request',
			req: preflight("GET", "x-other"),
			status: 200,
			headers: { ...ok, [ACAC]: "true", [ACAH]: "*" },
			refused: "header",
		},
		{
			rule: '"*" never covers authorization',
			req: preflight("GET", "authorization"),
			status: 200,
			headers: { ...ok, [ACAH]: "*" },
			refused: "header",
		},
		{
			rule: "authorization listed allows",
			req: preflight("GET", "authorization"),
			status: 200,
			headers: { ...ok, [ACAH]: "*, Authorization" },
			refused: null,
		},
		{
			rule: "a malformed header list refuses",
			req: preflight("GET", "x-a"),
			status: 200,
			headers: { ...ok, [ACAH]: "x-a x-b" },
			refused: "header",
		},
	])("$rule", ({ req, status, headers, refused }) => {
		const credentialed = (headers as Record<string, string>)[ACAC] === "true";
		const verdict = readAnswer(req, true, credentialed, answer(status, headers));
		expect(verdict.decision === "refuse" ? verdict.reason : null).toBe(refused);
	});
});

describe("the allowlist's decision against the target's answer", () => {
	const DOC = { origins: [APP], methods: ["PUT"], headers: ["x-custom"] };
	function decide(doc: object, req: CorsRequest): Decision {
		const result = compileAllowlist(doc);
		if (!result.ok) throw new Error("invalid");
		return result.policy.decide(req);
	}
	const EVIL = "https://evil.example";
	const allowAll = { [ACAO]: "*", [ACAM]: "*", [ACAH]: "*" };

	it.each([
		{
			rule: "both allow: nothing to report",
			doc: DOC,
			req: request(APP),
			status: 200,
			headers: { [ACAO]: APP },
			reason: undefined,
		},
		{
			rule: "both refuse, for other reasons: nothing to report",
			doc: DOC,
			req: request(EVIL),
			status: 200,
			headers: { [ACAO]: "https://x.example" },
			reason: undefined,
		},
		{
			rule: "no Origin: nothing to compare",
			doc: DOC,
			req: request(null),
			status: 200,
			headers: allowAll,
			reason: undefined,
		},
		{
			rule: "same-origin: nothing to compare",
			doc: DOC,
			req: request(SELF),
			status: 200,
			headers: {},
			reason: undefined,
		},
		{
			rule: "the target allows an origin the allowlist refuses",
			doc: DOC,
			req: request(EVIL),
			status: 200,
			headers: { [ACAO]: EVIL },
			reason: "allowlist-refuses-origin",
		},
		{
			rule: "the target allows a method the allowlist refuses",
			doc: DOC,
			req: preflight("DELETE"),
			status: 204,
			headers: allowAll,
			reason: "allowlist-refuses-method",
		},
		{
			rule: "the target allows a header the allowlist refuses",
			doc: DOC,
			req: preflight("PUT", "x-other"),
			status: 204,
			headers: allowAll,
			reason: "allowlist-refuses-header",
		},
		{
			rule: "the target expects credentials the allowlist does not allow",
			doc: DOC,
			req: request(APP),
			status: 200,
			headers: { [ACAO]: APP, [ACAC]: "true" },
			reason: "allowlist-refuses-credentials",
		},
		{
			rule: 'the target expects credentials and the allowlist answers "*"',
			doc: { origins: ["*"] },
			req: request(APP),
			status: 200,
			headers: { [ACAO]: APP, [ACAC]: "true" },
			reason: "allowlist-refuses-credentials",
		},
		{
			rule: "the allowlist allows an origin the target refuses",
			doc: DOC,
			req: request(APP),
			status: 200,
			headers: {},
			reason: "target-refuses-origin",
		},
		{
			rule: "the allowlist allows a method the target refuses",
			doc: DOC,
			req: preflight("PUT"),
			status: 204,
			headers: { [ACAO]: APP, [ACAM]: "GET" },
			reason: "target-refuses-method",
		},
		{
			rule: "the allowlist allows a header the target refuses",
			doc: DOC,
			req: preflight("PUT", "x-custom"),
			status: 204,
			headers: { [ACAO]: APP, [ACAM]: "PUT" },
			reason: "target-refuses-header",
		},
		{
			rule: "the target does not answer preflights (404)",
			doc: DOC,
			req: preflight("PUT"),
			status: 404,
			headers: {},
			reason: "target-refuses-status",
		},
		{
			rule: "credentials on in the allowlist, none from the target: read as uncredentialed, agreement",
			doc: { ...DOC, credentials: true },
			req: request(APP),
			status: 200,
			headers: { [ACAO]: APP },
			reason: undefined,
		},
	])("$rule", ({ doc, req, status, headers, reason }) => {
		expect(compareWithTarget(req, decide(doc, req), answer(status, headers))?.reason).toBe(reason);
	});

	it("names both decisions: the allowlist's refusal reason and detail, the target's failed check", () => {
		const req = preflight("DELETE", "x-custom");
		expect(compareWithTarget(req, decide(DOC, req), answer(204, allowAll))).toEqual({
			reason: "allowlist-refuses-method",
			allowlist: { decision: "refuse", reason: "method-not-allowed", detail: "DELETE" },
			target: { decision: "allow" },
		});
		const missing = preflight("PUT", "x-custom");
		expect(compareWithTarget(missing, decide(DOC, missing), answer(204, { [ACAO]: APP, [ACAM]: "PUT" }))).toEqual({
			reason: "target-refuses-header",
			allowlist: { decision: "allow" },
			target: { decision: "refuse", reason: "header", detail: "x-custom" },
		});
	});
});

describe("a hostile request costs no more than an honest one", () => {
	it("long runs of spaces in Access-Control-Request-Headers are read in linear time", () => {
		const hostile = `${" ".repeat(200_000)}x${" ".repeat(200_000)}y`;
		const started = performance.now();
		const verdict = readAnswer(preflight("GET", hostile), true, false, answer(204, { [ACAO]: APP, [ACAH]: "*" }));
		expect(verdict).toEqual({
			decision: "refuse",
			reason: "header",
			detail: "Access-Control-Request-Headers is not a list of header names",
		});
		expect(performance.now() - started).toBeLessThan(200);
	});
});
