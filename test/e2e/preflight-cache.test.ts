// Access-Control-Max-Age is honoured: within maxAge a second request sends no second
// preflight; after it, the browser asks again. Preflights are counted twice: as Chromium
// reports sending them (CDP) and as the gateway logged serving them (wrangler dev's log).
// Allowlists: BASE (maxAge 600), then SHORT_MAX_AGE (maxAge 1).
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, SHORT_MAX_AGE } from "./support/allowlists.ts";
import { type FetchInit, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { preflightsServed } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

// cache: "default": Chromium skips its preflight cache for requests that bypass the HTTP
// cache (the suite's usual "no-store").
const PUT: FetchInit = {
	method: "PUT",
	headers: { "content-type": "application/json", "x-api-version": "2" },
	body: "{}",
	cache: "default",
};

const browser = useBrowser();

describe("allowlist BASE (maxAge 600)", () => {
	beforeAll(() => useAllowlist(BASE));

	it("a second request within maxAge sends no second preflight", async () => {
		const session = await browser.newSession();
		const path = uniquePath("preflight-cache");
		const outcomes = [await session.fetch(ORIGIN.app, path, PUT), await session.fetch(ORIGIN.app, path, PUT)];
		expect(outcomes.map(summary)).toEqual(["read 200", "read 200"]);
		expect(await session.preflightsSentTo(ORIGIN.app, path)).toBe(1);
		expect(await preflightsServed(path)).toBe(1);
		expect(await upstreamReceived(path)).toHaveLength(2);

		// Control: a fresh browser context has an empty preflight cache, and its preflight is counted.
		const fresh = await browser.newSession();
		expect(summary(await fresh.fetch(ORIGIN.app, path, PUT))).toBe("read 200");
		expect(await fresh.preflightsSentTo(ORIGIN.app, path)).toBe(1);
		expect(await preflightsServed(path)).toBe(2);
	});
});

describe("allowlist SHORT_MAX_AGE (maxAge 1)", () => {
	beforeAll(() => useAllowlist(SHORT_MAX_AGE));

	it("a request after maxAge sends a new preflight", async () => {
		const session = await browser.newSession();
		const path = uniquePath("preflight-expiry");
		expect(summary(await session.fetch(ORIGIN.app, path, PUT))).toBe("read 200");
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(summary(await session.fetch(ORIGIN.app, path, PUT))).toBe("read 200");
		expect(await session.preflightsSentTo(ORIGIN.app, path)).toBe(2);
		expect(await preflightsServed(path)).toBe(2);
	});
});
