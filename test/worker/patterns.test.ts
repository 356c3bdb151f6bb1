// docs/SPEC.md "Origin patterns" end to end inside workerd: any-port and glob entries in the
// real local KV allowlist decide real requests; the answer names the request's own Origin.
import { beforeAll, describe, expect, it } from "vitest";
import { newTag, putAllowlist, received, testGateway } from "../support/gateway.ts";

beforeAll(async () => {
	await putAllowlist({
		origins: [
			"http://localhost:*",
			"http://[::1]:*",
			"https://pr-*.preview.example.com",
			"https://*--app.hosting.example",
		],
		credentials: true,
		methods: ["GET", "PUT"],
		headers: ["x-custom"],
	});
});

async function send(origin: string, init: RequestInit = {}) {
	const tag = newTag();
	const res = await testGateway().fetch("/echo", { ...init, headers: { origin, "x-test-tag": tag, ...init.headers } });
	await res.arrayBuffer();
	return { res, reached: (await received(tag)).length };
}

describe("actual requests: a pattern admits, the answer reflects the request's Origin", () => {
	it.each([
		["any port: a dev server's port", "http://localhost:5173", true],
		["any port: another port", "http://localhost:3000", true],
		["any port: the default port", "http://localhost", true],
		["any port: an IPv6 loopback", "http://[::1]:8080", true],
		["any port: never another scheme", "https://localhost:5173", false],
		["any port: never a look-alike host", "http://localhost.evil.example:5173", false],
		["a prefix glob", "https://pr-1234.preview.example.com", true],
		["a prefix glob, host in capitals", "https://PR-7.preview.example.com", true],
		["a prefix glob: the * never spans a dot", "https://pr-1.evil.preview.example.com", false],
		["a prefix glob: never an empty *", "https://pr-.preview.example.com", false],
		["a prefix glob: never a port it does not name", "https://pr-1.preview.example.com:8443", false],
		["a prefix glob: never the parent", "https://preview.example.com", false],
		["a suffix glob", "https://feature-x--app.hosting.example", true],
		["a suffix glob: another site's name", "https://feature-x--app2.hosting.example", false],
	])("%s: %s", async (_rule, origin, admitted) => {
		const { res, reached } = await send(origin);
		expect(res.status).toBe(admitted ? 200 : 403);
		expect(reached).toBe(admitted ? 1 : 0);
		expect(res.headers.get("access-control-allow-origin")).toBe(admitted ? origin : null);
		expect(res.headers.get("access-control-allow-credentials")).toBe(admitted ? "true" : null);
		expect(res.headers.get("vary")).toContain("Origin");
	});
});

describe("preflights from a pattern's origins are answered by the Worker", () => {
	it.each([
		["any port, an allowed method", "http://localhost:4321", "PUT", 204],
		["a glob, an allowed method", "https://pr-9.preview.example.com", "PUT", 204],
		["a glob, a method not listed", "https://pr-9.preview.example.com", "DELETE", 403],
		["a glob's look-alike", "https://pr-9.preview.example.com.evil.example", "PUT", 403],
	])("%s: %s %s → %d", async (_rule, origin, method, status) => {
		const { res, reached } = await send(origin, {
			method: "OPTIONS",
			headers: { "access-control-request-method": method, "access-control-request-headers": "x-custom" },
		});
		expect(res.status).toBe(status);
		expect(reached).toBe(0);
		expect(res.headers.get("access-control-allow-origin")).toBe(status === 204 ? origin : null);
	});
});
