// Per-route policies end to end inside workerd (docs/SPEC.md, Routes): the document in the
// real local KV, the gateway choosing each request's route by its URL's host and path,
// and the real upstream recording what reached it.
import { beforeAll, describe, expect, it } from "vitest";
import { DOC, newTag, ORIGIN, putAllowlist, received } from "../support/gateway.ts";
import { ENTRY_POINTS } from "../support/middleware.ts";

const PARTNER = "https://partner.example.net";

const ROUTED = {
	...DOC,
	routes: {
		"/fonts": { origins: ["*"], maxAge: 86400 },
		"/partner": { origins: [PARTNER], headers: ["x-partner-key"], methods: ["GET", "PUT"] },
		"/admin": { origins: [] as string[] },
		"assets.gateway.test/": { origins: ["*"] },
	},
};

beforeAll(async () => {
	await putAllowlist(ROUTED);
});

// Both entry points pass every row: the gateway, and the kvCors middleware in front of an app.
describe.each(ENTRY_POINTS)("through the $name", ({ testGateway }) => {
	async function send(url: string, method: string, headers: Record<string, string>) {
		const tag = newTag();
		const res = await testGateway().fetch(url, { method, headers: { ...headers, "x-test-tag": tag } });
		await res.arrayBuffer();
		return { res, reached: (await received(tag)).length };
	}

	describe("the route of each request's URL decides", () => {
		it.each([
			{ rule: "a path under no route: the top level", url: "/echo", origin: ORIGIN, status: 200, acao: ORIGIN },
			{ rule: "the top level refuses what it does not list", url: "/echo", origin: PARTNER, status: 403, acao: null },
			{ rule: 'a "*" route admits any origin', url: "/fonts/a.woff2", origin: PARTNER, status: 200, acao: "*" },
			{ rule: "a route's origins replace the top level's", url: "/partner/x", origin: ORIGIN, status: 403, acao: null },
			{ rule: "…and admit their own", url: "/partner/x", origin: PARTNER, status: 200, acao: PARTNER },
			{ rule: "a prefix matches at a / boundary only", url: "/partnership", origin: PARTNER, status: 403, acao: null },
			{ rule: "an empty route admits nobody", url: "/admin/users", origin: ORIGIN, status: 403, acao: null },
			{
				rule: "a key with a host beats the path keys",
				url: "https://assets.gateway.test/admin/x",
				origin: PARTNER,
				status: 200,
				acao: "*",
			},
		])("$rule ($url from $origin)", async ({ url, origin, status, acao }) => {
			const { res, reached } = await send(url, "GET", { origin });
			expect(res.status).toBe(status);
			expect(reached).toBe(status === 200 ? 1 : 0);
			expect(res.headers.get("access-control-allow-origin")).toBe(acao);
		});

		it.each([
			{
				rule: "a route's own methods and headers",
				url: "/partner/x",
				method: "PUT",
				headers: "x-partner-key",
				status: 204,
			},
			{ rule: "not the top level's headers", url: "/partner/x", method: "PUT", headers: "x-custom", status: 403 },
			{
				rule: "the top level keeps its own, not a route's",
				url: "/echo",
				method: "PUT",
				headers: "x-partner-key",
				status: 403,
			},
		])("preflights by the route of their own URL: $rule", async ({ url, method, headers, status }) => {
			const origin = url.startsWith("/partner") ? PARTNER : ORIGIN;
			const { res, reached } = await send(url, "OPTIONS", {
				origin,
				"access-control-request-method": method,
				"access-control-request-headers": headers,
			});
			expect(res.status).toBe(status);
			expect(reached).toBe(0);
		});

		it("a route's maxAge, its other fields inherited", async () => {
			const { res } = await send("/fonts/a.woff2", "OPTIONS", {
				origin: PARTNER,
				"access-control-request-method": "PUT",
			});
			expect(res.status).toBe(204);
			expect(res.headers.get("access-control-max-age")).toBe("86400");
			expect(res.headers.get("access-control-allow-methods")).toBe(DOC.methods.join(", "));
		});
	});

	describe("a refusal's log line names the route that refused", () => {
		it.each([
			{ url: "/partner/x", route: "/partner" },
			{ url: "https://assets.gateway.test/x", route: "assets.gateway.test/", origin: "null" },
			{ url: "/echo", route: null },
		])("$url → $route", async ({ url, route, origin = "https://evil.example.net" }) => {
			const gateway = testGateway();
			const res = await gateway.fetch(url, { headers: { origin } });
			expect(res.status).toBe(403);
			expect(gateway.logs.filter((l) => l.event === "cors-refused")).toEqual([expect.objectContaining({ route })]);
		});
	});
});
