// Per-route policies (docs/SPEC.md "Routes"): the route of each request's path decides,
// preflights included, and a route's origins replace the top level's. Allowlist: ROUTED
// (BASE, with "/fonts" open to "*" and "/api" only for partner.localhost, credentials on).
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTED } from "./support/allowlists.ts";
import { type BrowserSession, type FetchInit, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { refusalsLogged } from "./support/gateway-log.ts";
import { ORIGIN } from "./support/origins.ts";
import { type EchoBody, upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const REFUSED = "blocked MissingAllowOriginHeader";
const PREFLIGHT_REFUSED = "blocked PreflightMissingAllowOriginHeader";

interface Row {
	rule: string;
	origin: string;
	/** The path prefix the request goes under ("": none, so the top level decides). */
	under: string;
	init?: FetchInit;
	expected: string;
	/** The CORS headers of the forwarded answer; absent: the gateway refused it. */
	answered?: { allowOrigin: string; allowCredentials: string | null };
	/** For a refusal: the route key the gateway logged as deciding (null: the top level). */
	refusedBy?: string | null;
}

const browser = useBrowser();
let session: BrowserSession;

beforeAll(async () => {
	await useAllowlist(ROUTED);
	session = await browser.newSession();
});

async function check({ origin, under, init = {}, expected, answered, refusedBy }: Row): Promise<void> {
	const path = `${under}${uniquePath("routes")}`;
	const outcome = await session.fetch(origin, path, init);
	expect(summary(outcome)).toBe(expected);
	// Rows with a method or header beyond the safelisted ones test the preflight, the others a simple request.
	expect(await session.preflightsSentTo(origin, path)).toBe(init.method === "PUT" ? 1 : 0);

	const received = await upstreamReceived(path);
	const refusals = await refusalsLogged(path);
	if (answered === undefined) {
		// Refused by the gateway itself, by the route it names, and never forwarded.
		expect(received).toHaveLength(0);
		const method = init.method === "PUT" ? "OPTIONS" : "GET";
		expect(refusals).toEqual([{ reason: "origin-not-allowed", detail: origin, method, route: refusedBy }]);
		return;
	}
	expect(refusals).toEqual([]);
	expect(received).toHaveLength(1);
	const headers = await session.responseHeadersOf(origin, path);
	expect({
		allowOrigin: headers?.["access-control-allow-origin"],
		allowCredentials: headers?.["access-control-allow-credentials"] ?? null,
	}).toEqual(answered);
	// What the page read is the upstream's answer to this very request.
	if (outcome.read) expect(JSON.parse(outcome.body) as EchoBody).toMatchObject({ method: init.method ?? "GET", path });
}

const credentialed: FetchInit = { credentials: "include" };
const preflighted: FetchInit = {
	method: "PUT",
	headers: { "content-type": "application/json", "x-api-version": "2" },
	body: "{}",
};

describe("a simple GET is decided by its path's route", () => {
	it.each<Row>([
		{
			rule: '/fonts admits the page under its "*"',
			origin: ORIGIN.app,
			under: "/fonts",
			expected: "read 200",
			answered: { allowOrigin: "*", allowCredentials: null },
		},
		{
			rule: '/fonts admits under "*" an origin the top level does not list',
			origin: ORIGIN.evil,
			under: "/fonts",
			expected: "read 200",
			answered: { allowOrigin: "*", allowCredentials: null },
		},
		{
			rule: "/api's origins replace the top level's: the same page is refused there",
			origin: ORIGIN.app,
			under: "/api",
			expected: REFUSED,
			refusedBy: "/api",
		},
		{
			rule: "/api admits its own origin, credentialed",
			origin: ORIGIN.partner,
			under: "/api",
			init: credentialed,
			expected: "read 200",
			answered: { allowOrigin: ORIGIN.partner, allowCredentials: "true" },
		},
		{
			rule: "a path under no route is decided by the top level",
			origin: ORIGIN.partner,
			under: "",
			expected: REFUSED,
			refusedBy: null,
		},
		{
			rule: "/api's credentials stay on /api: a credentialed answer elsewhere is unreadable",
			origin: ORIGIN.app,
			under: "",
			init: credentialed,
			expected: "blocked InvalidAllowCredentials",
			answered: { allowOrigin: ORIGIN.app, allowCredentials: null },
		},
		{
			rule: "/fontsx is not under /fonts (a / boundary)",
			origin: ORIGIN.evil,
			under: "/fontsx",
			expected: REFUSED,
			refusedBy: null,
		},
		{
			rule: "/apix is not under /api (a / boundary)",
			origin: ORIGIN.app,
			under: "/apix",
			expected: "read 200",
			answered: { allowOrigin: ORIGIN.app, allowCredentials: null },
		},
	])("$rule", check);
});

describe("a preflight is decided by the route of its own URL", () => {
	it.each<Row>([
		{
			rule: "/api approves its own origin's credentialed PUT",
			origin: ORIGIN.partner,
			under: "/api",
			init: { ...preflighted, credentials: "include" },
			expected: "read 200",
			answered: { allowOrigin: ORIGIN.partner, allowCredentials: "true" },
		},
		{
			rule: "/api refuses a top-level origin's PUT at the preflight",
			origin: ORIGIN.app,
			under: "/api",
			init: preflighted,
			expected: PREFLIGHT_REFUSED,
			refusedBy: "/api",
		},
		{
			rule: '/fonts approves a PUT from any origin under "*"',
			origin: ORIGIN.evil,
			under: "/fonts",
			init: preflighted,
			expected: "read 200",
			answered: { allowOrigin: "*", allowCredentials: null },
		},
		{
			rule: "/fontsx's preflight is the top level's (a / boundary)",
			origin: ORIGIN.evil,
			under: "/fontsx",
			init: preflighted,
			expected: PREFLIGHT_REFUSED,
			refusedBy: null,
		},
	])("$rule", check);
});
