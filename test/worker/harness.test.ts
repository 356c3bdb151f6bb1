// Smoke test of the Worker test harness: workerd, the local ALLOWLIST namespace, the real
// upstream from test/support/global-setup.ts, and the static-assets binding.
import { env, exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";

describe("worker test harness", () => {
	it("forwards to the real upstream with the allowlist in local KV", async () => {
		await env.ALLOWLIST.put("allowlist", JSON.stringify({ origins: ["https://app.example.com"] }));
		expect(env.UPSTREAM_URL).toBe(inject("upstreamUrl"));

		const res = await exports.default.fetch(new Request("http://gateway.test/echo?x=1"));
		expect(res.status).toBe(200);
		const echo = (await res.json()) as { method: string; path: string; query: Record<string, string[]> };
		expect(echo.method).toBe("GET");
		expect(echo.path).toBe("/echo");
		expect(echo.query).toEqual({ x: ["1"] });
	});

	it("exposes the static assets binding of wrangler.demo.toml [assets]", async () => {
		const assets = env.ASSETS;
		if (assets === undefined) throw new Error("no ASSETS binding: is [assets] missing from wrangler.demo.toml?");
		const res = await assets.fetch("http://gateway.test/index.html");
		expect(res.status).toBe(200);
		expect(await res.text()).toContain("cors-gateway");
	});
});
