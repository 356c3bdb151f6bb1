// `credentials: "include"`: cookies for the gateway's host really go to the upstream, and
// the page may read the answer only when the allowlist turns credentials on.
// Allowlists: BASE (credentials false), then WITH_CREDENTIALS.
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, WITH_CREDENTIALS } from "./support/allowlists.ts";
import { type BrowserSession, type FetchInit, summary, uniquePath, useBrowser } from "./support/browser.ts";
import { GATEWAY, ORIGIN } from "./support/origins.ts";
import { type EchoBody, upstreamReceived } from "./support/upstream.ts";
import { useAllowlist } from "./support/use-allowlist.ts";

const COOKIE = "session=e2e-secret";

const browser = useBrowser();

/** A session whose cookie jar holds a cookie for the gateway's host (a sibling of app.localhost: same site). */
async function sessionWithCookie(): Promise<BrowserSession> {
	const session = await browser.newSession();
	const [name = "", value = ""] = COOKIE.split("=");
	await session.context.addCookies([{ name, value, url: GATEWAY, sameSite: "Lax" }]);
	return session;
}

interface Row {
	rule: string;
	origin?: string;
	init: FetchInit;
	expected: string;
	/** The Cookie header the upstream received; undefined: the request never reached it. */
	upstreamCookie?: string | null;
}

async function check(session: BrowserSession, { origin = ORIGIN.app, init, expected, upstreamCookie }: Row) {
	const path = uniquePath("credentials");
	const outcome = await session.fetch(origin, path, init);
	expect(summary(outcome)).toBe(expected);
	const received = await upstreamReceived(path);
	if (upstreamCookie === undefined) {
		expect(received).toHaveLength(0);
	} else {
		expect(received.map((r) => r.headers.cookie ?? null)).toEqual([upstreamCookie]);
	}
	// A page that could read the answer read the upstream's echo of the very cookie it received.
	if (outcome.read) expect((JSON.parse(outcome.body) as EchoBody).headers.cookie ?? null).toBe(upstreamCookie);
}

const preflighted: FetchInit = {
	method: "PUT",
	headers: { "content-type": "application/json", "x-api-version": "2" },
	body: "{}",
};

describe("allowlist BASE (credentials: false)", () => {
	let session: BrowserSession;
	beforeAll(async () => {
		await useAllowlist(BASE);
		session = await sessionWithCookie();
	});

	it.each<Row>([
		{
			rule: "a credentialed GET is sent with the cookie, but the page may not read the answer",
			init: { credentials: "include" },
			expected: "blocked InvalidAllowCredentials",
			upstreamCookie: COOKIE,
		},
		{
			rule: "a credentialed preflighted request is stopped at the preflight",
			init: { ...preflighted, credentials: "include" },
			expected: "blocked PreflightInvalidAllowCredentials",
		},
		{
			rule: "without credentials the answer is readable and no cookie is sent",
			init: {},
			expected: "read 200",
			upstreamCookie: null,
		},
	])("$rule", (row) => check(session, row));
});

describe("allowlist WITH_CREDENTIALS (credentials: true)", () => {
	let session: BrowserSession;
	beforeAll(async () => {
		await useAllowlist(WITH_CREDENTIALS);
		session = await sessionWithCookie();
	});

	it.each<Row>([
		{
			rule: "a credentialed GET sends the cookie and the page reads the answer",
			init: { credentials: "include" },
			expected: "read 200",
			upstreamCookie: COOKIE,
		},
		{
			rule: "a credentialed preflighted request is approved and sends the cookie",
			init: { ...preflighted, credentials: "include" },
			expected: "read 200",
			upstreamCookie: COOKIE,
		},
		{
			rule: "credentials: omit sends no cookie",
			init: { credentials: "omit" },
			expected: "read 200",
			upstreamCookie: null,
		},
		{
			rule: "an unlisted origin gets nothing, with or without cookies",
			origin: ORIGIN.evil,
			init: { credentials: "include" },
			expected: "blocked MissingAllowOriginHeader",
		},
	])("$rule", (row) => check(session, row));

	it("a cookie the upstream sets through the gateway is stored and sent back", async () => {
		const setter = uniquePath("set-cookie");
		const set = await session.fetch(ORIGIN.app, `${setter}?h=set-cookie:fresh=from-upstream; Path=/; SameSite=Lax`, {
			credentials: "include",
		});
		expect(summary(set)).toBe("read 200");
		await check(session, {
			rule: "",
			init: { credentials: "include" },
			expected: "read 200",
			upstreamCookie: `${COOKIE}; fresh=from-upstream`,
		});
	});
});
