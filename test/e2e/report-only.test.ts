// Report-only mode (docs/SPEC.md "Report-only mode") in a real browser: under a report-only
// route the page reads whatever the upstream's own CORS headers allow, preflights included,
// and the gateway logs one `cors-report` line where the allowlist would have decided
// otherwise. Allowlist: REPORT_ONLY_ROUTE (BASE, with "/legacy" report-only). The scripted
// upstream adds the response headers each request's `h=` parameters name.
import { beforeAll, describe, expect, it } from "vitest";
import { REPORT_ONLY_ROUTE } from "./support/allowlists.ts";
import { type BrowserSession, type FetchInit, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { eventsLogged, refusalsLogged } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

interface Row {
	rule: string;
	origin: string;
	under: string;
	/** The upstream's own CORS headers, as `name:value`. */
	upstreamHeaders: string[];
	init?: FetchInit;
	expected: string;
	/** Requests the upstream received (a forwarded preflight counts). */
	forwarded: string[];
	/** The `cors-report` lines' reasons, in order; [] where both sides agree. */
	reports: string[];
}

const browser = useBrowser();
let session: BrowserSession;

beforeAll(async () => {
	await useAllowlist(REPORT_ONLY_ROUTE);
	session = await browser.newSession();
});

const preflighted: FetchInit = { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" };
const allowsOrigin = (origin: string) => `access-control-allow-origin:${origin}`;

describe("under a report-only route the upstream's own CORS decides, and differences are reported", () => {
	it.each<Row>([
		{
			rule: "the upstream admits an origin the allowlist refuses: the page reads it, reported",
			origin: ORIGIN.partner,
			under: "/legacy",
			upstreamHeaders: [allowsOrigin(ORIGIN.partner)],
			expected: "read 200",
			forwarded: ["GET"],
			reports: ["allowlist-refuses-origin"],
		},
		{
			rule: "the upstream sends no CORS headers to a listed origin: the page is blocked, reported",
			origin: ORIGIN.app,
			under: "/legacy",
			upstreamHeaders: [],
			expected: "blocked MissingAllowOriginHeader",
			forwarded: ["GET"],
			reports: ["target-refuses-origin"],
		},
		{
			rule: "both admit a listed origin: read, nothing reported",
			origin: ORIGIN.app,
			under: "/legacy",
			upstreamHeaders: [allowsOrigin(ORIGIN.app)],
			expected: "read 200",
			forwarded: ["GET"],
			reports: [],
		},
		{
			rule: "a preflight is forwarded and answered by the upstream: the PUT follows, both reported",
			origin: ORIGIN.partner,
			under: "/legacy",
			upstreamHeaders: [
				allowsOrigin(ORIGIN.partner),
				"access-control-allow-methods:PUT",
				"access-control-allow-headers:content-type",
			],
			init: preflighted,
			expected: "read 200",
			forwarded: ["OPTIONS", "PUT"],
			reports: ["allowlist-refuses-origin", "allowlist-refuses-origin"],
		},
		{
			rule: "outside the route the same request is enforced: refused by the gateway, never forwarded",
			origin: ORIGIN.partner,
			under: "/legacyx",
			upstreamHeaders: [allowsOrigin(ORIGIN.partner)],
			expected: "blocked MissingAllowOriginHeader",
			forwarded: [],
			reports: [],
		},
	])("$rule", async ({ origin, under, upstreamHeaders, init, expected, forwarded, reports }) => {
		const path = `${under}${uniquePath("report-only")}`;
		const query = upstreamHeaders.map((h) => `h=${encodeURIComponent(h)}`).join("&");
		const outcome = await session.fetch(origin, query ? `${path}?${query}` : path, init);
		expect(summary(outcome)).toBe(expected);

		expect((await upstreamReceived(path)).map((r) => r.method)).toEqual(forwarded);
		const logged = await eventsLogged("cors-report", path);
		expect(logged.map((e) => e.reason)).toEqual(reports);
		for (const line of logged) expect(line).toMatchObject({ route: "/legacy", origin });
		if (forwarded.length === 0) {
			expect(await refusalsLogged(path)).toEqual([
				{ reason: "origin-not-allowed", detail: origin, method: "GET", route: null },
			]);
		} else {
			expect(await refusalsLogged(path)).toEqual([]);
		}
	});
});
