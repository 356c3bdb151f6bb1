// "service:NAME" routes (docs/SPEC.md, Route table and Forwarding) end to end in workerd:
// the gateway calls a real second Worker through a service binding (ECHO_SERVICE, from
// test/support/service-worker.js), which records every request it gets, so each row
// proves what reached the service and what never did. DECOY_SERVICE runs the same script
// under a binding no route names.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
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

/** A request as the service Worker received it (and echoes it). */
interface Seen {
	service: string;
	method: string;
	url: string;
	host: string | null;
	headers: Record<string, string>;
	body: string;
}

/** What `service` received with `x-test-tag: tag`, oldest first. */
async function reached(tag: string, service: Fetcher = env.ECHO_SERVICE): Promise<Seen[]> {
	const res = await service.fetch(`https://control.test/__requests?tag=${encodeURIComponent(tag)}`);
	return (await res.json()) as Seen[];
}

async function callsOf(service: Fetcher): Promise<number> {
	return (await (await service.fetch("https://control.test/__count")).json()) as number;
}

/** Every path to the service; UPSTREAM_URL (the real upstream) is replaced by the "/" key. */
const serviceGateway = (overrides = {}) => testGateway({ ROUTES: { "/": "service:ECHO_SERVICE" }, ...overrides });

describe("an approved request reaches the service as it was sent", () => {
	it.each([
		{ rule: "path and query kept", method: "GET", path: "/api/orders?page=2&q=a%2Fb", body: "" },
		{ rule: "an encoded path kept as it is", method: "GET", path: "/files/a%20b/%2E%2Ex", body: "" },
		{ rule: "POST with its body", method: "POST", path: "/api/orders", body: '{"item":1}' },
		{ rule: "PUT with its body", method: "PUT", path: "/api/orders/7", body: "replace" },
		{ rule: "DELETE", method: "DELETE", path: "/api/orders/7", body: "" },
		{ rule: "HEAD as HEAD", method: "HEAD", path: "/api/orders", body: "" },
	])("$rule: $method $path", async ({ method, path, body }) => {
		const tag = newTag();
		const res = await serviceGateway().fetch(path, {
			method,
			body: body || undefined,
			headers: { origin: ORIGIN, "x-test-tag": tag },
		});
		await res.arrayBuffer();
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(res.headers.get("access-control-expose-headers")).toBe("x-request-id");
		expect(res.headers.get("vary")).toBe("Origin");
		expect(res.headers.get("x-request-id")).toBe("svc-1");
		// The URL is the gateway's own, as the client addressed it.
		expect(await reached(tag)).toEqual([
			expect.objectContaining({ service: "echo-service", method, url: `${GATEWAY}${path}`, body }),
		]);
	});

	it("a route's prefix is not stripped, and other routes keep their own targets", async () => {
		const tag = newTag();
		const gateway = testGateway({ ROUTES: { "/auth": "service:ECHO_SERVICE" } });
		const auth = await gateway.fetch("/auth/login?next=%2F", { headers: { origin: ORIGIN, "x-test-tag": tag } });
		expect(((await auth.json()) as Seen).url).toBe(`${GATEWAY}/auth/login?next=%2F`);
		// "/authz" is not under "/auth": UPSTREAM_URL, the real upstream, serves it.
		const other = await gateway.fetch("/authz", { headers: { origin: ORIGIN, "x-test-tag": tag } });
		await other.arrayBuffer();
		expect((await reached(tag)).map((r) => r.url)).toEqual([`${GATEWAY}/auth/login?next=%2F`]);
		expect((await received(tag)).map((r) => r.url)).toEqual(["/authz"]);
	});

	it("hop-by-hop headers and Host are dropped, end-to-end ones kept", async () => {
		const tag = newTag();
		const res = await serviceGateway().fetch("/echo", {
			headers: {
				origin: ORIGIN,
				"x-test-tag": tag,
				host: "gateway.test",
				connection: "keep-alive, x-hop",
				"keep-alive": "timeout=5",
				"x-hop": "1",
				te: "trailers",
				upgrade: "websocket",
				"proxy-authorization": "Basic Zm9vOmJhcg==",
				authorization: "Bearer t",
				"x-kept": "yes",
			},
		});
		const { headers, host } = (await res.json()) as Seen;
		for (const name of ["connection", "keep-alive", "x-hop", "te", "upgrade", "proxy-authorization"])
			expect(headers).not.toHaveProperty(name);
		expect(headers).toMatchObject({ authorization: "Bearer t", "x-kept": "yes", origin: ORIGIN, "x-test-tag": tag });
		// A service binding's request carries no Host: only the binding says where it goes.
		expect(host).toBeNull();
	});

	it("a large request body streams to the service", async () => {
		const size = 4 * 1024 * 1024;
		const body = streamedBody(size);
		const res = await serviceGateway().fetch("/upload", {
			method: "POST",
			body,
			headers: { origin: ORIGIN },
			duplex: "half",
		} as RequestInit);
		expect(res.status).toBe(200);
		expect(((await res.json()) as Seen).body.length).toBe(size);
	});
});

describe("what the gateway answers itself never reaches the service", () => {
	const EVIL = "https://evil.example.net";
	it.each<{ rule: string; method: string; headers: Record<string, string>; status: number }>([
		{ rule: "a refused origin", method: "GET", headers: { origin: EVIL }, status: 403 },
		{ rule: "a refused origin's POST", method: "POST", headers: { origin: EVIL }, status: 403 },
		{
			rule: "an approved preflight",
			method: "OPTIONS",
			headers: { origin: ORIGIN, "access-control-request-method": "PUT" },
			status: 204,
		},
		{
			rule: "a preflight for a method not allowed",
			method: "OPTIONS",
			headers: { origin: ORIGIN, "access-control-request-method": "PATCH" },
			status: 403,
		},
		{
			rule: "a preflight from a refused origin",
			method: "OPTIONS",
			headers: { origin: EVIL, "access-control-request-method": "GET" },
			status: 403,
		},
	])("$rule → $status", async ({ method, headers, status }) => {
		const tag = newTag();
		const res = await serviceGateway().fetch("/api/orders", { method, headers: { ...headers, "x-test-tag": tag } });
		await res.arrayBuffer();
		expect(res.status).toBe(status);
		expect(await reached(tag)).toEqual([]);
	});
});

describe("a redirect from the service is passed back, never followed", () => {
	it.each([301, 302, 303, 307, 308])("%i", async (status) => {
		const tag = newTag();
		// Followed, it would come back into the same service (a binding's fetch follows by
		// default): a second record under the same tag.
		const res = await serviceGateway().fetch(`/redirect?status=${status}&to=%2Fapi%2Fnext`, {
			headers: { origin: ORIGIN, "x-test-tag": tag },
		});
		expect(res.status).toBe(status);
		expect(res.headers.get("location")).toBe("/api/next");
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect((await reached(tag)).map((r) => new URL(r.url).pathname)).toEqual(["/redirect"]);
	});
});

describe("a service that fails: 502 and 504 like a URL target, readable by allowed origins", () => {
	it.each([
		{
			rule: "a service that throws gives 502, its exception only in the log",
			path: "/throw",
			status: 502,
			text: "Bad Gateway: upstream service failed without answering\n",
			reason: "service ECHO_SERVICE failed without answering: echo-service threw on purpose",
		},
		{
			rule: "a service that does not answer within UPSTREAM_TIMEOUT_MS gives 504",
			path: "/hang?ms=5000",
			status: 504,
			text: "Gateway Timeout: upstream did not answer within 200 ms\n",
			reason: "upstream did not answer within 200 ms",
		},
	])("$rule", async ({ path, status, text, reason }) => {
		const tag = newTag();
		const gateway = serviceGateway({ UPSTREAM_TIMEOUT_MS: "200" });
		const res = await gateway.fetch(path, { headers: { origin: ORIGIN, "x-test-tag": tag } });
		expect(res.status).toBe(status);
		expect(await res.text()).toBe(text);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		expect(res.headers.get("vary")).toBe("Origin");
		expect(gateway.logs).toContainEqual({
			event: "upstream-error",
			status,
			reason,
			path: new URL(path, GATEWAY).pathname,
		});
		expect(await reached(tag)).toHaveLength(1);
	});
});

describe("a target naming no service binding is a configuration error: 500, nothing forwarded", () => {
	const SERVICES_FIX =
		'name the binding of a [[services]] block in wrangler.toml (binding = "NAME", service = "<the Worker to call>")';
	it.each([
		{
			rule: "a binding the Worker does not have",
			target: "service:AUTH",
			message:
				'ROUTES["/api"] names the service binding AUTH, which the Worker does not have; add to wrangler.toml [[services]] with binding = "AUTH" and service = "<the Worker to call>"',
		},
		{
			rule: "no name",
			target: "service:",
			message: `ROUTES["/api"] is "service:" without a binding name; write "service:NAME" and ${SERVICES_FIX}`,
		},
		{
			rule: "a name that is no binding name",
			target: "service:echo-service",
			message: `ROUTES["/api"] names the service binding "echo-service", which is not a binding name (letters, digits and _, not starting with a digit); ${SERVICES_FIX}`,
		},
		{
			rule: "space after the colon is not trimmed",
			target: "service: ECHO_SERVICE",
			message: `ROUTES["/api"] names the service binding " ECHO_SERVICE", which is not a binding name`,
		},
		{
			rule: "a KV namespace",
			target: "service:ALLOWLIST",
			message: `ROUTES["/api"] names ALLOWLIST, which is not a service binding (it has no fetch method: a var, a KV namespace…); ${SERVICES_FIX}`,
		},
		{
			rule: "a var",
			target: "service:UPSTREAM_URL",
			message: `ROUTES["/api"] names UPSTREAM_URL, which is not a service binding`,
		},
		{
			rule: "what objects inherit",
			target: "service:constructor",
			message: `ROUTES["/api"] names constructor, which is not a service binding`,
		},
		{
			rule: "the static-assets binding",
			target: "service:ASSETS",
			message: `ROUTES["/api"] names ASSETS, the static-assets binding, as a service; write "assets" to serve static assets`,
		},
		{
			rule: "the prefix is lower case",
			target: "SERVICE:ECHO_SERVICE",
			message: `ROUTES["/api"] must use http or https, got "SERVICE:ECHO_SERVICE"`,
		},
		{
			rule: "a target that is not text",
			target: 42,
			message: `ROUTES["/api"] must be an http(s) URL, "assets" or "service:NAME", got 42`,
		},
	])("$rule: $target", async ({ target, message }) => {
		const tag = newTag();
		// "/" names a good service: a request under "/api" reaching it would mean the bad
		// route was skipped rather than the configuration refused.
		const gateway = testGateway({ ROUTES: { "/": "service:ECHO_SERVICE", "/api": target } });
		const res = await gateway.fetch("/api/orders", { headers: { origin: ORIGIN, "x-test-tag": tag } });
		expect(res.status).toBe(500);
		expect(res.headers.has("access-control-allow-origin")).toBe(false);
		expect(await res.text()).toContain(`cors-gateway is misconfigured: ${message}`);
		expect(gateway.logs).toContainEqual({ event: "config-error", reason: expect.stringContaining(message) });
		expect(await reached(tag)).toEqual([]);
		expect(await received(tag)).toEqual([]);
	});
});

describe("nothing in a request chooses another binding or host", () => {
	const decoy = inject("decoyUrl");
	const decoyHost = new URL(decoy).host;
	it.each<{ rule: string; url: string; headers: Record<string, string>; seen: string }>([
		{ rule: "a Host header", url: `${GATEWAY}/h`, headers: { host: decoyHost }, seen: `${GATEWAY}/h` },
		{ rule: "a //host path", url: `${GATEWAY}//${decoyHost}/x`, headers: {}, seen: `${GATEWAY}//${decoyHost}/x` },
		{ rule: "a /\\host path", url: `${GATEWAY}/\\${decoyHost}/x`, headers: {}, seen: `${GATEWAY}//${decoyHost}/x` },
		{
			rule: "a URL as the path",
			url: `${GATEWAY}/http://${decoyHost}/x`,
			headers: {},
			seen: `${GATEWAY}/http://${decoyHost}/x`,
		},
		{
			rule: "a service: text in the path",
			url: `${GATEWAY}/service:DECOY_SERVICE/x`,
			headers: {},
			seen: `${GATEWAY}/service:DECOY_SERVICE/x`,
		},
		{
			rule: "a service: text in the query",
			url: `${GATEWAY}/x?target=service:DECOY_SERVICE`,
			headers: {},
			seen: `${GATEWAY}/x?target=service:DECOY_SERVICE`,
		},
		{
			rule: "headers naming another binding, Worker or host",
			url: `${GATEWAY}/hdr`,
			headers: {
				"x-service": "service:DECOY_SERVICE",
				"cf-worker": "decoy-service",
				"x-forwarded-host": decoyHost,
				forwarded: `host=${decoyHost}`,
				"x-original-url": `${decoy}/x`,
			},
			seen: `${GATEWAY}/hdr`,
		},
		// The URL the service is given carries the request's own host, which selects nothing:
		// the call still goes through ECHO_SERVICE, and the decoy host is never contacted.
		{ rule: "a request URL naming another host", url: `${decoy}/abs`, headers: {}, seen: `${decoy}/abs` },
	])("$rule", async ({ url, headers, seen }) => {
		const tag = newTag();
		const decoyCalls = await callsOf(env.DECOY_SERVICE);
		const res = await serviceGateway().fetch(new Request(url, { headers: { ...headers, "x-test-tag": tag } }));
		await res.arrayBuffer();
		expect(res.status).toBe(200);
		expect((await reached(tag)).map((r) => [r.service, r.url])).toEqual([["echo-service", seen]]);
		expect(await callsOf(env.DECOY_SERVICE)).toBe(decoyCalls);
		expect(await received(tag)).toEqual([]);
		expect(await contactsOf(decoy)).toEqual({ requests: [], connections: [] });
	});
});
