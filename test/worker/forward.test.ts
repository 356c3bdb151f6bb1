// Forwarding to the real upstream (a Node server that records every request it gets):
// what is passed, what is dropped, upstream failures, and that nothing in a request can
// make the Worker contact a host that is not configured.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
	abortedUpstream,
	contactsOf,
	DOC,
	GATEWAY,
	newTag,
	ORIGIN,
	putAllowlist,
	received,
	streamedBody,
	testGateway,
} from "../support/gateway.ts";

beforeAll(async () => {
	await putAllowlist(DOC);
});

const upstream = inject("upstreamUrl");
const decoy = inject("decoyUrl");

describe("what is forwarded", () => {
	it("hop-by-hop headers are dropped, end-to-end ones kept", async () => {
		const tag = newTag();
		const res = await testGateway().fetch("/echo", {
			headers: {
				origin: ORIGIN,
				"x-test-tag": tag,
				connection: "keep-alive, x-hop",
				"keep-alive": "timeout=5",
				"x-hop": "1",
				te: "trailers",
				"proxy-authorization": "Basic Zm9vOmJhcg==",
				authorization: "Bearer t",
				"x-kept": "yes",
			},
		});
		const echo = (await res.json()) as { headers: Record<string, string> };
		for (const name of ["keep-alive", "x-hop", "te", "proxy-authorization"])
			expect(echo.headers).not.toHaveProperty(name);
		expect(echo.headers).toMatchObject({ authorization: "Bearer t", "x-kept": "yes", origin: ORIGIN });
		expect((await received(tag))[0]?.host).toBe(new URL(upstream).host);
	});

	it("a large request body is streamed to the upstream", async () => {
		const tag = newTag();
		const size = 8 * 1024 * 1024;
		const body = streamedBody(size);
		const res = await testGateway().fetch("/echo/upload", {
			method: "POST",
			body,
			headers: { origin: ORIGIN, "x-test-tag": tag },
			duplex: "half",
		} as RequestInit);
		expect(res.status).toBe(200);
		expect(((await res.json()) as { bodyLength: number }).bodyLength).toBe(size);
	});

	it("a large response body streams through", async () => {
		const res = await testGateway().fetch("/stream?chunks=256&size=65536", { headers: { origin: ORIGIN } });
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		let total = 0;
		for await (const part of res.body as ReadableStream<Uint8Array>) total += part.length;
		expect(total).toBe(256 * 65536);
	});

	it("HEAD is forwarded as HEAD", async () => {
		const tag = newTag();
		const res = await testGateway().fetch("/echo", { method: "HEAD", headers: { origin: ORIGIN, "x-test-tag": tag } });
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect((await received(tag)).map((r) => r.method)).toEqual(["HEAD"]);
	});
});

describe("upstream failures: 502 and 504, readable by allowed origins", () => {
	it("an upstream that does not answer within UPSTREAM_TIMEOUT_MS gives 504", async () => {
		const gateway = testGateway({ UPSTREAM_TIMEOUT_MS: "200" });
		const res = await gateway.fetch("/slow?ms=3000", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(504);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(res.headers.get("vary")).toBe("Origin");
		expect(await res.text()).toContain("did not answer within 200 ms");
		expect(gateway.logs).toContainEqual(expect.objectContaining({ event: "upstream-error", status: 504 }));
	});

	it("a timed-out upstream request is dropped, not left running", async () => {
		// Through the Worker's own entry, so the request ends as in production (the vitest
		// config sets UPSTREAM_TIMEOUT_MS 2000 for it); the runtime then cancels the subrequest.
		const id = newTag();
		const res = await exports.default.fetch(
			new Request(`${GATEWAY}/slow?ms=60000&id=${id}`, { headers: { origin: ORIGIN } }),
		);
		expect(res.status).toBe(504);
		expect(await res.text()).toContain("did not answer within 2000 ms");
		expect(await abortedUpstream(id)).toMatchObject({ aborted: true });
	}, 20_000);

	it("the timeout bounds the wait for headers, not a slow body", async () => {
		const res = await testGateway({ UPSTREAM_TIMEOUT_MS: "300" }).fetch("/stream?chunks=8&size=1024&delay=100", {
			headers: { origin: ORIGIN },
		});
		expect(res.status).toBe(200);
		expect((await res.arrayBuffer()).byteLength).toBe(8 * 1024);
	});

	it("an unreachable upstream gives 502", async () => {
		const res = await testGateway({ UPSTREAM_URL: inject("unreachableUrl") }).fetch("/echo", {
			headers: { origin: ORIGIN },
		});
		expect(res.status).toBe(502);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
	});

	it("a refused origin gets 403 even when the upstream is down", async () => {
		const res = await testGateway({ UPSTREAM_URL: inject("unreachableUrl") }).fetch("/echo", {
			headers: { origin: "https://evil.example.net" },
		});
		expect(res.status).toBe(403);
		expect(res.headers.has("access-control-allow-origin")).toBe(false);
	});
});

describe("never an open proxy: only configured upstreams are contacted", () => {
	const decoyHost = new URL(decoy).host;
	it.each([
		["a request URL naming another host", `${decoy}/echo/x`, {}, "/echo/x"],
		["a //host path", `${GATEWAY}//${decoyHost}/x`, {}, `//${decoyHost}/x`],
		["a /\\host path", `${GATEWAY}/\\${decoyHost}/x`, {}, `//${decoyHost}/x`],
		["percent-encoded slashes", `${GATEWAY}/%2F%2F${decoyHost}/x`, {}, `/%2F%2F${decoyHost}/x`],
		["user-info in the path", `${GATEWAY}/@${decoyHost}/x`, {}, `/@${decoyHost}/x`],
		["a Host header", `${GATEWAY}/echo/h`, { host: decoyHost }, "/echo/h"],
		["X-Forwarded-Host", `${GATEWAY}/echo/xfh`, { "x-forwarded-host": decoyHost }, "/echo/xfh"],
		["user-info in the request URL", `http://user:pw@${decoyHost}/echo/ui`, {}, "/echo/ui"],
		["an encoded backslash path", `${GATEWAY}/%5C%5C${decoyHost}/x`, {}, `/%5C%5C${decoyHost}/x`],
		["dot segments up to //host", `${GATEWAY}/a/../..//${decoyHost}/x`, {}, `//${decoyHost}/x`],
		["encoded dot segments", `${GATEWAY}/%2e%2e/%2E%2E//${decoyHost}/x`, {}, `//${decoyHost}/x`],
		["a URL as the path", `${GATEWAY}/http://${decoyHost}/x`, {}, `/http://${decoyHost}/x`],
		["a URL in the query", `${GATEWAY}/echo/q?url=http://${decoyHost}/x`, {}, `/echo/q?url=http://${decoyHost}/x`],
		["an @ after the authority", `${GATEWAY}@${decoyHost}/echo/at`, {}, "/echo/at"],
		["Forwarded: host=", `${GATEWAY}/echo/fwd`, { forwarded: `host=${decoyHost};proto=http` }, "/echo/fwd"],
		[
			"X-Original-URL and X-Rewrite-URL",
			`${GATEWAY}/echo/orig`,
			{ "x-original-url": `${decoy}/x`, "x-rewrite-url": `${decoy}/x` },
			"/echo/orig",
		],
		[
			"X-Forwarded-Proto and -Port",
			`${GATEWAY}/echo/xfp`,
			{ "x-forwarded-proto": "http", "x-forwarded-port": new URL(decoy).port },
			"/echo/xfp",
		],
	])("%s", async (_case, url, headers, path) => {
		const tag = newTag();
		const res = await testGateway().fetch(new Request(url, { headers: { ...headers, "x-test-tag": tag } }));
		expect(res.status).toBe(200);
		const seen = await received(tag);
		expect(seen.map((r) => [r.host, r.url])).toEqual([[new URL(upstream).host, path]]);
		// Not one request, and not one TCP connection (HTTP or not), ever reached the decoy.
		expect(await contactsOf(decoy)).toEqual({ requests: [], connections: [] });
	});

	it("an upstream redirect to another host is passed back, never followed", async () => {
		for (const status of [301, 302, 303, 307, 308]) {
			const tag = newTag();
			const res = await testGateway().fetch(`/redirect?status=${status}&to=${encodeURIComponent(`${decoy}/echo/r`)}`, {
				headers: { origin: ORIGIN, "x-test-tag": tag },
			});
			expect(res.status).toBe(status);
			expect(res.headers.get("location")).toBe(`${decoy}/echo/r`);
			expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
			expect(await received(tag)).toHaveLength(1);
		}
		expect(await contactsOf(decoy)).toEqual({ requests: [], connections: [] });
	});
});

describe("route table", () => {
	const routes = JSON.stringify({ "/api": upstream, "/": "assets" });

	it("a path prefix goes to its upstream, path kept", async () => {
		const tag = newTag();
		const res = await testGateway({ UPSTREAM_URL: undefined, ROUTES: routes }).fetch("/api/users?x=1", {
			headers: { origin: ORIGIN, "x-test-tag": tag },
		});
		expect(res.status).toBe(200);
		expect((await received(tag)).map((r) => r.url)).toEqual(["/api/users?x=1"]);
	});

	it("static assets get the same CORS layer", async () => {
		const gateway = testGateway({ UPSTREAM_URL: undefined, ROUTES: routes });
		const ok = await gateway.fetch("/index.html", { headers: { origin: ORIGIN } });
		expect(ok.status).toBe(200);
		expect(await ok.text()).toContain("cors-gateway");
		expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(ok.headers.get("vary")).toContain("Origin");
		const refused = await gateway.fetch("/index.html", { headers: { origin: "https://evil.example.net" } });
		expect(refused.status).toBe(403);
		const pre = await gateway.fetch("/index.html", {
			method: "OPTIONS",
			headers: { origin: ORIGIN, "access-control-request-method": "GET" },
		});
		expect(pre.status).toBe(204);
	});

	it("a prefix matches whole path segments only", async () => {
		const tag = newTag();
		const gateway = testGateway({ ROUTES: JSON.stringify({ "/api": inject("unreachableUrl") }) });
		// "/apix" is not under "/api": it goes to UPSTREAM_URL, which answers.
		const res = await gateway.fetch("/apix", { headers: { "x-test-tag": tag } });
		expect(res.status).toBe(200);
		expect((await gateway.fetch("/api/x")).status).toBe(502);
	});

	it("a path no route serves is 404, with CORS headers for an allowed origin", async () => {
		const res = await testGateway({ UPSTREAM_URL: undefined, ROUTES: JSON.stringify({ "/api": upstream }) }).fetch(
			"/other",
			{ headers: { origin: ORIGIN } },
		);
		expect(res.status).toBe(404);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
	});

	it("a key with a host beats the path keys for that host only (the document's route rule)", async () => {
		const gateway = testGateway({
			ROUTES: JSON.stringify({ "/api": inject("unreachableUrl"), "api.gateway.test/api": upstream }),
		});
		expect((await gateway.fetch("https://api.gateway.test/api/x")).status).toBe(200);
		expect((await gateway.fetch("/api/x")).status).toBe(502);
	});

	it("ROUTES given as a JSON object (a wrangler.toml table) works too", async () => {
		const res = await testGateway({ UPSTREAM_URL: undefined, ROUTES: { "/api": upstream } }).fetch("/api/echo");
		expect(res.status).toBe(200);
	});
});

describe("configuration errors fail closed with a message naming the var", () => {
	it.each([
		["UPSTREAM_URL missing", { UPSTREAM_URL: undefined }, "set UPSTREAM_URL"],
		["UPSTREAM_URL relative", { UPSTREAM_URL: "/api" }, "UPSTREAM_URL is not an absolute URL"],
		["UPSTREAM_URL another scheme", { UPSTREAM_URL: "ftp://files.example" }, "UPSTREAM_URL must use http or https"],
		[
			"UPSTREAM_URL with a query",
			{ UPSTREAM_URL: "https://api.example?x=1" },
			"must not carry user-info, a query or a fragment",
		],
		["ROUTES not JSON", { ROUTES: "{/api: x}" }, "ROUTES is not valid JSON"],
		[
			"ROUTES prefix without /",
			{ ROUTES: JSON.stringify({ api: "https://api.example" }) },
			'ROUTES key "api": a route key is a path starting with /',
		],
		[
			"ROUTES names assets without an ASSETS binding",
			{ ASSETS: undefined, ROUTES: JSON.stringify({ "/static": "assets" }) },
			'ROUTES["/static"] is "assets" but the Worker has no ASSETS binding (static assets are off by default); add to wrangler.toml [assets] with directory = "./public", binding = "ASSETS" and run_worker_first = true',
		],
		["UPSTREAM_TIMEOUT_MS not a number", { UPSTREAM_TIMEOUT_MS: "soon" }, "UPSTREAM_TIMEOUT_MS must be a number"],
		[
			"ALLOWLIST_REFRESH_SECONDS negative",
			{ ALLOWLIST_REFRESH_SECONDS: "-1" },
			"ALLOWLIST_REFRESH_SECONDS must be a number",
		],
	])("%s", async (_case, overrides, message) => {
		const gateway = testGateway(overrides);
		const res = await gateway.fetch("/echo", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(500);
		expect(res.headers.has("access-control-allow-origin")).toBe(false);
		expect(await res.text()).toContain(message);
		expect(gateway.logs).toContainEqual(expect.objectContaining({ event: "config-error" }));
	});
});
