// Which origins may read a simple (non-preflighted) request: exact entries, the subdomain
// wildcard, and the look-alikes around them. Allowlist: BASE.
import { beforeAll, describe, expect, it } from "vitest";
import { BASE } from "./support/allowlists.ts";
import { type BrowserSession, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { refusalsLogged } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { type EchoBody, upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const browser = useBrowser();
let session: BrowserSession;

beforeAll(async () => {
	await useAllowlist(BASE);
	session = await browser.newSession();
});

// Refused: the gateway answers 403 without Access-Control-Allow-Origin, so Chromium hides it.
const REFUSED = "blocked MissingAllowOriginHeader";

describe("a simple GET", () => {
	it.each([
		{ rule: "an exact entry is allowed", origin: ORIGIN.app, expected: "read 200" },
		{ rule: "a subdomain under the wildcard is allowed", origin: ORIGIN.tenantA, expected: "read 200" },
		{ rule: "several labels under the wildcard are allowed", origin: ORIGIN.tenantDeep, expected: "read 200" },
		{ rule: "an unlisted origin is refused", origin: ORIGIN.evil, expected: REFUSED },
		{ rule: "the wildcard never matches its apex", origin: ORIGIN.tenantApex, expected: REFUSED },
		{ rule: "the wildcard never matches another port", origin: ORIGIN.tenantOtherPort, expected: REFUSED },
		{
			rule: "a host merely ending in the wildcard's domain is refused",
			origin: ORIGIN.tenantSuffixLookalike,
			expected: REFUSED,
		},
		{
			rule: "a host starting with an allowed host is refused",
			origin: ORIGIN.tenantPrefixLookalike,
			expected: REFUSED,
		},
		{ rule: "an exact entry never matches its subdomains", origin: ORIGIN.appSub, expected: REFUSED },
		{ rule: "an exact entry never matches another port", origin: ORIGIN.appOtherPort, expected: REFUSED },
		{ rule: "an exact entry's host as a prefix is refused", origin: ORIGIN.appPrefixLookalike, expected: REFUSED },
		{
			rule: "an opaque origin (null) is refused unless listed",
			origin: ORIGIN.sandboxed,
			sent: "null",
			expected: REFUSED,
		},
	])("$rule ($origin)", async ({ origin, sent = origin, expected }) => {
		const path = uniquePath("origins");
		const outcome = await session.fetch(origin, path);
		expect(summary(outcome)).toBe(expected);

		const received = await upstreamReceived(path);
		if (outcome.read) {
			// What the page read is the upstream's answer to this very request.
			const echo = JSON.parse(outcome.body) as EchoBody;
			expect(echo).toMatchObject({ method: "GET", path });
			expect(echo.headers.origin).toBe(sent);
			expect(received).toHaveLength(1);
		} else {
			// Refused by the gateway, not merely hidden by the browser: never forwarded.
			expect(received).toHaveLength(0);
			expect(await refusalsLogged(path)).toEqual([
				{ reason: "origin-not-allowed", detail: sent, method: "GET", route: null },
			]);
		}
	});
});

describe("a simple POST (text/plain body, no preflight)", () => {
	it.each([
		{ rule: "an allowed origin reads the answer", origin: ORIGIN.app, expected: "read 200", forwarded: 1 },
		{
			rule: "an unlisted origin's POST never reaches the upstream",
			origin: ORIGIN.evil,
			expected: REFUSED,
			forwarded: 0,
		},
	])("$rule", async ({ origin, expected, forwarded }) => {
		const path = uniquePath("simple-post");
		const outcome = await session.fetch(origin, path, {
			method: "POST",
			headers: { "content-type": "text/plain" },
			body: "hello",
		});
		expect(summary(outcome)).toBe(expected);
		expect(await session.preflightsSentTo(origin, path)).toBe(0);
		const received = await upstreamReceived(path);
		expect(received).toHaveLength(forwarded);
		if (outcome.read) expect(JSON.parse(outcome.body)).toMatchObject({ method: "POST", body: "hello" });
	});
});
