// docs/SPEC.md "Behaviour", end to end inside workerd: the real local KV allowlist, the
// gateway, and the real upstream, which records what reached it.
import { beforeAll, describe, expect, it } from "vitest";
import { accessControl, DOC, GATEWAY, newTag, ORIGIN, putAllowlist, received } from "../support/gateway.ts";
import { ENTRY_POINTS } from "../support/middleware.ts";

const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

beforeAll(async () => {
	await putAllowlist(DOC);
});

// Both entry points pass every row: the gateway, and the kvCors middleware in front of an app.
describe.each(ENTRY_POINTS)("through the $name", ({ testGateway }) => {
	async function send(method: string, headers: Record<string, string>, path = "/echo", body?: string) {
		const tag = newTag();
		const gateway = testGateway();
		const res = await gateway.fetch(path, { method, headers: { ...headers, "x-test-tag": tag }, body });
		const text = await res.text();
		return { res, text, reached: (await received(tag)).length, gateway };
	}

	describe("preflights are answered by the Worker, never forwarded", () => {
		it("approved: 204 with origin, methods, headers, max-age and Vary", async () => {
			const { res, reached } = await send("OPTIONS", {
				origin: ORIGIN,
				"access-control-request-method": "PUT",
				"access-control-request-headers": "x-custom, content-type",
			});
			expect(res.status).toBe(204);
			expect(reached).toBe(0);
			expect(Object.fromEntries(accessControl(res))).toEqual({
				"access-control-allow-origin": ORIGIN,
				"access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE",
				"access-control-allow-headers":
					"accept, accept-language, content-language, content-type, range, x-custom, authorization",
				"access-control-max-age": "600",
			});
			expect(res.headers.get("vary")).toBe(PREFLIGHT_VARY);
		});

		it.each([
			["origin not allowed", { origin: "https://evil.example.net", "access-control-request-method": "GET" }],
			["method not allowed", { origin: ORIGIN, "access-control-request-method": "PATCH" }],
			["method in the wrong case", { origin: ORIGIN, "access-control-request-method": "put" }],
			[
				"header x-other not allowed",
				{
					origin: ORIGIN,
					"access-control-request-method": "PUT",
					"access-control-request-headers": "x-custom, x-other",
				},
			],
			[
				"header x-api-key not allowed",
				{ origin: ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": "x-api-key" },
			],
			["empty Access-Control-Request-Method", { origin: ORIGIN, "access-control-request-method": "" }],
			["malformed Origin", { origin: `${ORIGIN}/`, "access-control-request-method": "GET" }],
		])("refused (%s): 403, no Access-Control-Allow-* headers, not forwarded", async (_rule, headers) => {
			const { res, reached } = await send("OPTIONS", headers);
			expect(res.status).toBe(403);
			expect(reached).toBe(0);
			expect(Object.fromEntries(accessControl(res))).toEqual({});
			expect(res.headers.get("vary")).toBe(PREFLIGHT_VARY);
		});

		it("authorization is approved only when listed", async () => {
			const ask = {
				origin: ORIGIN,
				"access-control-request-method": "GET",
				"access-control-request-headers": "authorization",
			};
			expect((await send("OPTIONS", ask)).res.status).toBe(204);
			await putAllowlist({ ...DOC, headers: ["x-custom"] });
			try {
				expect((await send("OPTIONS", ask)).res.status).toBe(403);
			} finally {
				await putAllowlist(DOC);
			}
		});
	});

	describe("actual requests", () => {
		it("allowed origin: forwarded with method, path, query, headers and body; CORS headers added", async () => {
			const { res, text, reached } = await send(
				"PUT",
				{ origin: ORIGIN, "content-type": "application/json", "x-custom": "1" },
				"/echo/a/b?x=1&y=2",
				'{"a":1}',
			);
			expect(res.status).toBe(200);
			expect(reached).toBe(1);
			const echo = JSON.parse(text);
			expect(echo).toMatchObject({ method: "PUT", path: "/echo/a/b", search: "?x=1&y=2", body: '{"a":1}' });
			expect(echo.headers).toMatchObject({ origin: ORIGIN, "content-type": "application/json", "x-custom": "1" });
			expect(Object.fromEntries(accessControl(res))).toEqual({
				"access-control-allow-origin": ORIGIN,
				"access-control-expose-headers": "x-request-id",
			});
			expect(res.headers.get("vary")).toBe("Origin");
		});

		it("wildcard subdomain allowed", async () => {
			const { res, reached } = await send("GET", { origin: "https://api.example.com" });
			expect(res.status).toBe(200);
			expect(reached).toBe(1);
			expect(res.headers.get("access-control-allow-origin")).toBe("https://api.example.com");
		});

		it.each([
			["the apex of a wildcard", "https://example.com"],
			["a look-alike suffix", "https://evilexample.com"],
			["the domain under an attacker's", "https://example.com.evil.com"],
			["another scheme", "http://app.example.com"],
			["another port", "https://app.example.com:8443"],
			["null, not listed", "null"],
			["a path in Origin", "https://app.example.com/path"],
			["user-info in Origin", "https://app.example.com@evil.com"],
			["an empty Origin", ""],
		])("refused (%s): 403, no CORS headers, Vary: Origin, not forwarded", async (_rule, origin) => {
			const { res, reached } = await send("GET", { origin });
			expect(res.status).toBe(403);
			expect(reached).toBe(0);
			expect(Object.fromEntries(accessControl(res))).toEqual({});
			expect(res.headers.get("vary")).toBe("Origin");
		});

		it("several Origin headers are refused", async () => {
			const tag = newTag();
			const headers = new Headers({ "x-test-tag": tag });
			headers.append("origin", ORIGIN);
			headers.append("origin", "https://evil.example.net");
			const res = await testGateway().fetch(new Request(`${GATEWAY}/echo`, { headers }));
			expect(res.status).toBe(403);
			expect(await received(tag)).toEqual([]);
		});

		it("OPTIONS without Access-Control-Request-Method is not a preflight: forwarded", async () => {
			const { res, reached } = await send("OPTIONS", { origin: ORIGIN });
			expect(res.status).toBe(200);
			expect(reached).toBe(1);
			expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		});

		it("the upstream's own Access-Control-* headers are replaced, never duplicated, and Vary merged", async () => {
			const path =
				"/echo?h=access-control-allow-origin:*&h=access-control-allow-credentials:true&h=access-control-expose-headers:x-secret&h=vary:Accept-Encoding";
			const { res } = await send("GET", { origin: ORIGIN }, path);
			expect(Object.fromEntries(accessControl(res))).toEqual({
				"access-control-allow-origin": ORIGIN,
				"access-control-expose-headers": "x-request-id",
			});
			expect(res.headers.get("vary")).toBe("Accept-Encoding, Origin");
		});

		it("an upstream Vary that already names Origin is not duplicated", async () => {
			const { res } = await send("GET", { origin: ORIGIN }, "/echo?h=vary:origin,%20accept");
			expect(res.headers.get("vary")).toBe("origin, accept");
		});

		it("an upstream error status is passed through with CORS headers", async () => {
			const { res } = await send("GET", { origin: ORIGIN }, "/status/503");
			expect(res.status).toBe(503);
			expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
		});
	});

	describe("requests that are not CORS: forwarded, no CORS headers, Vary: Origin", () => {
		it.each([
			["no Origin", {}],
			["the Worker's own origin (same-origin)", { origin: GATEWAY }],
		])("%s", async (_rule, headers) => {
			const { res, reached } = await send("GET", headers, "/echo?h=access-control-allow-origin:*");
			expect(res.status).toBe(200);
			expect(reached).toBe(1);
			expect(Object.fromEntries(accessControl(res))).toEqual({});
			expect(res.headers.get("vary")).toBe("Origin");
		});
	});

	describe("credentials", () => {
		it("on: Access-Control-Allow-Credentials: true on preflights and actual requests", async () => {
			await putAllowlist({ ...DOC, credentials: true });
			try {
				const pre = await send("OPTIONS", { origin: ORIGIN, "access-control-request-method": "POST" });
				expect(pre.res.headers.get("access-control-allow-credentials")).toBe("true");
				const actual = await send("GET", { origin: ORIGIN, cookie: "session=1" });
				expect(actual.res.headers.get("access-control-allow-credentials")).toBe("true");
				expect(actual.res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
				expect(JSON.parse(actual.text).headers.cookie).toBe("session=1");
			} finally {
				await putAllowlist(DOC);
			}
		});

		it("off: no Access-Control-Allow-Credentials", async () => {
			const { res } = await send("GET", { origin: ORIGIN });
			expect(res.headers.has("access-control-allow-credentials")).toBe(false);
		});
	});

	describe('"*" in origins', () => {
		it("every response carries Access-Control-Allow-Origin: * and no Vary: Origin", async () => {
			await putAllowlist({ origins: ["*"] });
			try {
				for (const headers of [{}, { origin: "https://anyone.example" }] as Record<string, string>[]) {
					const { res, reached } = await send("GET", headers);
					expect(reached).toBe(1);
					expect(res.headers.get("access-control-allow-origin")).toBe("*");
					expect(res.headers.get("vary")).toBeNull();
				}
				const pre = await send("OPTIONS", {
					origin: "https://anyone.example",
					"access-control-request-method": "POST",
				});
				expect(pre.res.status).toBe(204);
				expect(pre.res.headers.get("access-control-allow-origin")).toBe("*");
			} finally {
				await putAllowlist(DOC);
			}
		});

		it.each([
			{ rule: '"*" alone refuses the opaque origin, never forwarded', origins: ["*"], status: 403, forwarded: 0 },
			{ rule: '"*" with "null" listed admits it', origins: ["*", "null"], status: 200, forwarded: 1 },
		])("$rule", async ({ origins, status, forwarded }) => {
			await putAllowlist({ origins });
			try {
				const { res, reached } = await send("GET", { origin: "null" });
				expect(res.status).toBe(status);
				expect(reached).toBe(forwarded);
				expect(res.headers.get("access-control-allow-origin")).toBe(status === 200 ? "*" : null);
				const pre = await send("OPTIONS", { origin: "null", "access-control-request-method": "POST" });
				expect(pre.res.status).toBe(status === 200 ? 204 : 403);
				expect(pre.reached).toBe(0);
			} finally {
				await putAllowlist(DOC);
			}
		});

		it("with credentials the document is invalid, so nothing is allowed", async () => {
			await putAllowlist({ origins: ["*"], credentials: true });
			try {
				const { res, gateway } = await send("GET", { origin: "https://anyone.example" });
				expect(res.status).toBe(403);
				expect(gateway.logs).toContainEqual(expect.objectContaining({ event: "allowlist-invalid" }));
			} finally {
				await putAllowlist(DOC);
			}
		});
	});

	describe("explaining refusals", () => {
		it("each refusal is one structured log line with origin, method, headers and reason", async () => {
			const { gateway } = await send("OPTIONS", {
				origin: ORIGIN,
				"access-control-request-method": "PUT",
				"access-control-request-headers": "x-other",
			});
			expect(gateway.logs).toContainEqual({
				event: "cors-refused",
				reason: "header-not-allowed",
				detail: "x-other",
				rule: "a requested header is not in the allowlist's headers",
				origin: ORIGIN,
				method: "OPTIONS",
				requestMethod: "PUT",
				requestHeaders: "x-other",
				path: "/echo",
				route: null,
			});
		});
	});
});
