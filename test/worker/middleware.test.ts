// What only the kvCors middleware (src/hono) has: its options, its bindings named by the
// app, and its answer when they are wrong. Its decisions are the gateway's tables,
// run through both (test/worker/cors.test.ts, routes.test.ts, report-only.test.ts).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type KvCorsOptions, kvCors } from "../../src/hono/kv-cors.ts";
import { DOC, newTag, ORIGIN, putAllowlist, received } from "../support/gateway.ts";
import { testMiddleware } from "../support/middleware.ts";

beforeAll(async () => {
	await putAllowlist(DOC);
});

describe("bindings: a wrong one answers 500 naming it, never an open door", () => {
	it.each([
		{
			rule: "the default ALLOWLIST missing",
			bindings: { ALLOWLIST: undefined },
			options: {},
			says: 'no binding "ALLOWLIST"',
		},
		{
			rule: "a named binding missing",
			bindings: {},
			options: { binding: "CORS_LIST" },
			says: 'no binding "CORS_LIST"',
		},
		{
			rule: "a var where the namespace should be",
			bindings: { CORS_LIST: "a string" },
			options: { binding: "CORS_LIST" },
			says: '"CORS_LIST" is not a KV namespace',
		},
		{
			rule: "analytics naming a KV namespace",
			bindings: {},
			options: { analytics: "ALLOWLIST" },
			says: "ALLOWLIST must be a Workers Analytics Engine dataset",
		},
	])("$rule", async ({ bindings, options, says }) => {
		const tag = newTag();
		const app = testMiddleware(bindings, options);
		const res = await app.fetch("/echo", { headers: { origin: ORIGIN, "x-test-tag": tag } });
		expect(res.status).toBe(500);
		expect(await res.text()).toContain(says);
		expect(await received(tag)).toEqual([]);
		expect(app.logs).toEqual([{ event: "config-error", reason: expect.stringContaining(says) }]);
	});

	it("the allowlist under another binding name", async () => {
		const app = testMiddleware({ ALLOWLIST: undefined, CORS_LIST: env.ALLOWLIST }, { binding: "CORS_LIST" });
		const res = await app.fetch("/echo", { headers: { origin: ORIGIN } });
		await res.arrayBuffer();
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
	});
});

describe("options: a mistake throws where the app is built", () => {
	it.each([
		[{ bindng: "X" }, 'unknown option "bindng"; the options are binding, refreshSeconds, debug, log, analytics'],
		[{ binding: 1 }, "binding must be a string, got 1"],
		[{ binding: "" }, "a binding name cannot be empty"],
		[{ refreshSeconds: "30" }, 'refreshSeconds must be a number, got "30"'],
		[{ refreshSeconds: -1 }, "refreshSeconds must be a number of at least 0, got -1"],
		[{ refreshSeconds: Number.NaN }, "refreshSeconds must be a number of at least 0, got NaN"],
		[{ debug: "true" }, 'debug must be a boolean, got "true"'],
		[{ log: "console" }, 'log must be a function, got "console"'],
		[{ toString: "x" }, 'unknown option "toString"; the options are binding, refreshSeconds, debug, log, analytics'],
	])("%j", (options, message) => {
		expect(() => kvCors(options as KvCorsOptions)).toThrow(new TypeError(`kvCors: ${message}`));
	});
});

describe("debug", () => {
	it.each([
		{ debug: true, header: "origin-not-allowed: the origin is not in the allowlist" },
		{ debug: false, header: null },
	])("debug: $debug", async ({ debug, header }) => {
		const res = await testMiddleware({}, { debug }).fetch("/echo", { headers: { origin: "https://evil.example.net" } });
		expect(res.status).toBe(403);
		expect(res.headers.get("cors-gateway-reason")).toBe(header);
	});
});

describe("analytics", () => {
	it("the named dataset gets one data point per refusal, as CORS_ANALYTICS does", async () => {
		const points: AnalyticsEngineDataPoint[] = [];
		const dataset = { writeDataPoint: (point?: AnalyticsEngineDataPoint) => point && points.push(point) };
		const app = testMiddleware({ CORS_DATA: dataset }, { analytics: "CORS_DATA" });
		const res = await app.fetch("/echo", { headers: { origin: "https://evil.example.net" } });
		expect(res.status).toBe(403);
		expect(points).toEqual([
			{
				blobs: ["", "origin-not-allowed", "https://evil.example.net", "GET", "refused"],
				indexes: ["origin-not-allowed"],
			},
		]);
	});
});
