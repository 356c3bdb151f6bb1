// Preflighted requests: the gateway approves a method and each requested header only when
// the allowlist lists it, and `Authorization` only when listed. Allowlists: BASE, then
// WITH_AUTHORIZATION.
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, WITH_AUTHORIZATION } from "./support/allowlists.ts";
import { type BrowserSession, type FetchInit, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { refusalsLogged } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { type EchoBody, upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const browser = useBrowser();

// A refused preflight is a 403 without Access-Control-Allow-*: Chromium stops at the missing origin.
const PREFLIGHT_REFUSED = "blocked PreflightMissingAllowOriginHeader";

interface Row {
	rule: string;
	origin?: string;
	init: FetchInit;
	expected: string;
	/** For a refusal: the reason the gateway logged, and its detail (`reason detail`). */
	refusal?: string;
}

async function check(session: BrowserSession, { origin = ORIGIN.app, init, expected, refusal }: Row): Promise<void> {
	const path = uniquePath("preflight");
	const outcome = await session.fetch(origin, path, init);
	expect(summary(outcome)).toBe(expected);
	// Every row needs a preflight: proof the case tests the preflight and not a simple request.
	expect(await session.preflightsSentTo(origin, path)).toBe(1);

	const received = await upstreamReceived(path);
	const refusals = await refusalsLogged(path);
	if (!outcome.read) {
		expect(received).toHaveLength(0);
		// The browser only sees a 403; the gateway's log says which rule refused it.
		expect(refusals.map((r) => `${r.reason} ${r.detail}`)).toEqual([refusal]);
		return;
	}
	expect(refusals).toEqual([]);
	expect(received).toHaveLength(1);
	const echo = JSON.parse(outcome.body) as EchoBody;
	expect(echo.method).toBe(init.method ?? "GET");
	for (const [name, value] of Object.entries(init.headers ?? {})) expect(echo.headers[name.toLowerCase()]).toBe(value);
	if (init.body !== undefined) expect(echo.body).toBe(init.body);
}

const json = { "content-type": "application/json" };

describe("allowlist BASE (methods GET HEAD POST PUT DELETE; headers x-api-version, x-trace-id)", () => {
	let session: BrowserSession;
	beforeAll(async () => {
		await useAllowlist(BASE);
		session = await browser.newSession();
	});

	it.each<Row>([
		{ rule: "a JSON body is approved", init: { method: "POST", headers: json, body: '{"a":1}' }, expected: "read 200" },
		{
			rule: "a listed method, PUT, is approved",
			init: { method: "PUT", headers: json, body: "{}" },
			expected: "read 200",
		},
		{ rule: "a listed method, DELETE, is approved", init: { method: "DELETE" }, expected: "read 200" },
		{
			rule: "a method not listed, PATCH, is refused",
			init: { method: "PATCH", body: "x" },
			expected: PREFLIGHT_REFUSED,
			refusal: "method-not-allowed PATCH",
		},
		{
			rule: "a listed header, x-api-version, is approved",
			init: { headers: { "x-api-version": "2" } },
			expected: "read 200",
		},
		{
			rule: "a listed header, x-trace-id, is approved",
			init: { headers: { "x-trace-id": "t-1" } },
			expected: "read 200",
		},
		{
			rule: "every listed header at once is approved",
			init: { method: "PUT", headers: { ...json, "X-Api-Version": "2", "x-trace-id": "t-2" }, body: "{}" },
			expected: "read 200",
		},
		{
			rule: "a header not listed is refused",
			init: { headers: { "x-unlisted": "1" } },
			expected: PREFLIGHT_REFUSED,
			refusal: "header-not-allowed x-unlisted",
		},
		{
			rule: "one unlisted header among listed ones is refused",
			init: { headers: { "x-api-version": "2", "x-unlisted": "1", "x-trace-id": "t" } },
			expected: PREFLIGHT_REFUSED,
			refusal: "header-not-allowed x-unlisted",
		},
		{
			rule: "Authorization is refused when not listed",
			init: { headers: { authorization: "Bearer t" } },
			expected: PREFLIGHT_REFUSED,
			refusal: "header-not-allowed authorization",
		},
		{
			rule: "an unlisted origin's approved-looking request is refused",
			origin: ORIGIN.evil,
			init: { method: "PUT", headers: { "x-api-version": "2" } },
			expected: PREFLIGHT_REFUSED,
			refusal: `origin-not-allowed ${ORIGIN.evil}`,
		},
		{
			rule: "a wildcard-matched origin gets the same approval",
			origin: ORIGIN.tenantA,
			init: { method: "DELETE", headers: { "x-trace-id": "t-3" } },
			expected: "read 200",
		},
	])("$rule", (row) => check(session, row));
});

describe("allowlist WITH_AUTHORIZATION (BASE plus authorization in headers)", () => {
	let session: BrowserSession;
	beforeAll(async () => {
		await useAllowlist(WITH_AUTHORIZATION);
		session = await browser.newSession();
	});

	it.each<Row>([
		{
			rule: "Authorization is approved once listed",
			init: { headers: { authorization: "Bearer t" } },
			expected: "read 200",
		},
		{
			rule: "Authorization with a listed header and a PUT is approved",
			init: { method: "PUT", headers: { Authorization: "Bearer u", "x-api-version": "3" }, body: "{}" },
			expected: "read 200",
		},
		{
			rule: "listing Authorization approves nothing else",
			init: { headers: { authorization: "Bearer t", "x-unlisted": "1" } },
			expected: PREFLIGHT_REFUSED,
			refusal: "header-not-allowed x-unlisted",
		},
	])("$rule", (row) => check(session, row));
});
