// What an allowed page may read of a response: exposed headers only when listed, upstream
// error statuses, the gateway's own 502, and no cached answer across origins (Vary: Origin).
// Allowlist: BASE (exposeHeaders: x-request-id).
import { beforeAll, describe, expect, it } from "vitest";
import { BASE } from "./support/allowlists.ts";
import { type BrowserSession, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { ORIGIN } from "./support/origins.ts";
import { type EchoBody, upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

/** Response headers every page may read (the Fetch standard's CORS-safelisted response-header names). */
const SAFELISTED = new Set([
	"cache-control",
	"content-language",
	"content-length",
	"content-type",
	"expires",
	"last-modified",
	"pragma",
]);

const browser = useBrowser();
let session: BrowserSession;

beforeAll(async () => {
	await useAllowlist(BASE);
	session = await browser.newSession();
});

describe("response headers", () => {
	it("a header in exposeHeaders is readable, one not listed is not", async () => {
		// The upstream sends x-request-id (listed) and, scripted by the query, x-internal (not).
		const path = uniquePath("expose");
		const outcome = await session.fetch(ORIGIN.app, `${path}?h=x-internal:secret`);
		expect(summary(outcome)).toBe("read 200");
		if (!outcome.read) return;
		const [received] = await upstreamReceived(path);
		expect(outcome.headers["x-request-id"]).toBe(`upstream-${received?.seq}`);
		expect(outcome.headers["x-internal"]).toBeUndefined();
		// Nothing else but CORS-safelisted response headers.
		const readable = Object.keys(outcome.headers).filter((name) => !SAFELISTED.has(name));
		expect(readable).toEqual(["x-request-id"]);
	});

	it("the upstream's own Access-Control-Expose-Headers cannot widen the list", async () => {
		const path = uniquePath("expose-upstream");
		const outcome = await session.fetch(
			ORIGIN.app,
			`${path}?h=x-internal:secret&h=access-control-expose-headers:x-internal`,
		);
		expect(summary(outcome)).toBe("read 200");
		if (outcome.read) expect(outcome.headers["x-internal"]).toBeUndefined();
	});
});

describe("error statuses", () => {
	it.each([
		{
			rule: "an upstream 500 is readable by an allowed origin",
			origin: ORIGIN.app,
			path: "/status/500",
			expected: "read 500",
		},
		{
			rule: "an upstream 404 is readable by an allowed origin",
			origin: ORIGIN.tenantA,
			path: "/status/404",
			expected: "read 404",
		},
		{
			rule: "an upstream 500 stays hidden from an unlisted origin",
			origin: ORIGIN.evil,
			path: "/status/500",
			expected: "blocked MissingAllowOriginHeader",
		},
	])("$rule", async ({ origin, path, expected }) => {
		const query = `?case=${uniquePath("status").slice(1)}`;
		const outcome = await session.fetch(origin, `${path}${query}`);
		expect(summary(outcome)).toBe(expected);
		const received = await upstreamReceived(`${path}${query}`);
		if (outcome.read) {
			// The upstream's own body, not a gateway page.
			expect(JSON.parse(outcome.body)).toMatchObject({ method: "GET", path });
			expect(received).toHaveLength(1);
		} else {
			expect(received).toHaveLength(0);
		}
	});

	it("the gateway's 502 for an unreachable upstream is readable by an allowed origin", async () => {
		const outcome = await session.fetch(ORIGIN.app, uniquePath("down").replace("/e2e/", "/down/"));
		expect(summary(outcome)).toBe("read 502");
		if (outcome.read) expect(outcome.body).toMatch(/^Bad Gateway/);
	});
});

describe("shared caches (Vary: Origin)", () => {
	it("a cacheable answer for one origin is not served from the browser cache to another", async () => {
		// a.tenant and b.tenant are the same site, so they share Chromium's HTTP cache
		// partition: only Vary: Origin keeps a's answer (Access-Control-Allow-Origin: a) from b.
		const path = `${uniquePath("vary")}?h=cache-control:public,max-age=600`;
		const first = await session.fetch(ORIGIN.tenantA, path, { cache: "default" });
		const again = await session.fetch(ORIGIN.tenantA, path, { cache: "default" });
		const other = await session.fetch(ORIGIN.tenantB, path, { cache: "default" });
		expect([first, again, other].map(summary)).toEqual(["read 200", "read 200", "read 200"]);
		if (!other.read) return;
		expect((JSON.parse(other.body) as EchoBody).headers.origin).toBe(ORIGIN.tenantB);
		// The repeat from a was a cache hit (the cache works), b's request went to the upstream.
		const received = await upstreamReceived(path.slice(0, path.indexOf("?")));
		expect(received.map((r) => r.headers.origin)).toEqual([ORIGIN.tenantA, ORIGIN.tenantB]);
	});
});
