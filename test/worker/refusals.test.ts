// Explaining refusals: every refusal reason, end to end, writes exactly one structured
// `cors-refused` log line (origin, method, requested headers, reason code, rule), and the
// `cors-gateway-reason` header appears only with CORS_DEBUG = "true".
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { REASON_TEXT, type RefusalReason } from "../../src/policy/index.ts";
import { filterKey } from "../../src/shards/layout.ts";
import { planShards } from "../../src/shards/plan.ts";
import { REASON_HEADER } from "../../src/worker/cors/cors-layer.ts";
import { DOC, GATEWAY, ORIGIN, putAllowlist, switchedTo, type TestGateway, testGateway } from "../support/gateway.ts";

interface Row {
	/** The allowlist in KV, or null for none. */
	allowlist: unknown;
	method: string;
	headers: Record<string, string>;
	/** Other KV keys written before the allowlist (a sharded allowlist's filter). */
	kv?: Record<string, string | Uint8Array>;
}

// A sharded allowlist whose filter lists ORIGIN but whose shard was never written.
const unreadable = planShards([ORIGIN], "refusal-row", 1);

const preflight = (requestMethod: string, requestHeaders?: string): Row => ({
	allowlist: DOC,
	method: "OPTIONS",
	headers: {
		origin: ORIGIN,
		"access-control-request-method": requestMethod,
		...(requestHeaders === undefined ? {} : { "access-control-request-headers": requestHeaders }),
	},
});

// One row per reason; `satisfies` makes a new reason without a row a type error.
const ROWS = {
	"no-allowlist": { allowlist: null, method: "GET", headers: { origin: ORIGIN } },
	"allowlist-unavailable": {
		allowlist: { ...DOC, origins: [], shards: switchedTo(unreadable) },
		kv: { [filterKey("refusal-row")]: unreadable.filter.toBytes() },
		method: "GET",
		headers: { origin: ORIGIN },
	},
	"origin-empty": { allowlist: DOC, method: "GET", headers: { origin: "" } },
	"origin-too-long": { allowlist: DOC, method: "GET", headers: { origin: `https://${"a".repeat(600)}.example.com` } },
	"origin-malformed": { allowlist: DOC, method: "GET", headers: { origin: `${ORIGIN}/` } },
	"origin-not-allowed": { allowlist: DOC, method: "POST", headers: { origin: "https://evil.example.net" } },
	"preflight-method-empty": preflight(""),
	"method-not-allowed": preflight("PATCH"),
	"header-not-allowed": preflight("PUT", "x-custom, x-other"),
	"request-headers-too-long": preflight("PUT", "x-custom,".repeat(600)),
	"request-headers-malformed": preflight("PUT", "x custom"),
} satisfies Record<RefusalReason, Row>;

const cases = Object.entries(ROWS) as [RefusalReason, Row][];

async function withAllowlist({ allowlist, kv = {} }: Row): Promise<void> {
	for (const [key, value] of Object.entries(kv)) await env.ALLOWLIST.put(key, value);
	if (allowlist === null) await env.ALLOWLIST.delete("allowlist");
	else await putAllowlist(allowlist);
}

beforeEach(async () => {
	await putAllowlist(DOC);
});

describe("every refusal is one structured log line", () => {
	it.each(cases)("%s", async (reason, row) => {
		await withAllowlist(row);
		const gateway = testGateway();
		const res = await gateway.fetch("/echo/why", { method: row.method, headers: row.headers });
		expect(res.status).toBe(403);
		expect(res.headers.has(REASON_HEADER)).toBe(false); // off by default
		expect(await res.text()).toBe(`CORS request refused: ${REASON_TEXT[reason]}.\n`);

		const lines = gateway.logs.filter((l) => l.event === "cors-refused");
		expect(lines).toHaveLength(1);
		const requested = row.headers["access-control-request-headers"];
		expect(lines[0]).toEqual({
			event: "cors-refused",
			reason,
			detail: expect.any(String),
			rule: REASON_TEXT[reason],
			origin: row.headers.origin?.slice(0, 256) ?? null,
			method: row.method,
			requestMethod: row.headers["access-control-request-method"] ?? null,
			requestHeaders: requested === undefined ? null : requested.slice(0, 256),
			path: "/echo/why",
			route: null,
		});
	});
});

describe(`CORS_DEBUG = "true" names the reason in ${REASON_HEADER}`, () => {
	it.each(cases)("%s", async (reason, row) => {
		await withAllowlist(row);
		const res = await testGateway({ CORS_DEBUG: "true" }).fetch("/echo", { method: row.method, headers: row.headers });
		expect(res.status).toBe(403);
		expect(res.headers.get(REASON_HEADER)).toBe(`${reason}: ${REASON_TEXT[reason]}`);
	});

	it.each([
		["an approved preflight", "OPTIONS", { origin: ORIGIN, "access-control-request-method": "PUT" }],
		["an allowed actual request", "GET", { origin: ORIGIN }],
		["a request without Origin", "GET", {}],
	])("%s is not a refusal: no header, no log line", async (_case, method, headers) => {
		const gateway = testGateway({ CORS_DEBUG: "true" });
		const res = await gateway.fetch("/echo", { method, headers });
		expect(res.status).toBeLessThan(300);
		expect(res.headers.has(REASON_HEADER)).toBe(false);
		expect(gateway.logs.filter((l) => l.event === "cors-refused")).toEqual([]);
	});

	it.each([undefined, "1", "TRUE", "yes", ""])("CORS_DEBUG = %j is off", async (value) => {
		const res = await testGateway({ CORS_DEBUG: value }).fetch("/echo", {
			headers: { origin: "https://evil.example" },
		});
		expect(res.headers.has(REASON_HEADER)).toBe(false);
	});
});

describe("a flood of refusals is logged within bounds", () => {
	const EVIL = "https://evil.example.net";
	const refused = (gateway: TestGateway) => gateway.logs.filter((l) => l.event === "cors-refused");
	const summaries = (gateway: TestGateway) => gateway.logs.filter((l) => l.event === "cors-refused-summary");

	it.each([
		{ rule: "by default, 10 full lines per (reason, origin) per minute", vars: {}, full: 10 },
		{ rule: "REFUSAL_LOG_LIMIT sets that number", vars: { REFUSAL_LOG_LIMIT: "3" }, full: 3 },
		{ rule: 'REFUSAL_LOG_LIMIT = "0": summaries only', vars: { REFUSAL_LOG_LIMIT: "0" }, full: 0 },
	])("$rule, then one summary with the counts", async ({ vars, full }) => {
		const clock = { now: 5_000_000 };
		const gateway = testGateway(vars, { now: () => clock.now });
		for (let i = 0; i < 40; i++) {
			const res = await gateway.fetch("/echo", { method: "POST", headers: { origin: EVIL }, body: "x" });
			expect(res.status).toBe(403); // every refusal is still answered in full
			await res.arrayBuffer();
		}
		expect(refused(gateway)).toHaveLength(full);
		expect(summaries(gateway)).toEqual([]);
		clock.now += 60_000;
		// The first request after the minute, here an allowed one, writes the summary.
		const ok = await gateway.fetch("/echo", { headers: { origin: ORIGIN } });
		expect(ok.status).toBe(200);
		await ok.arrayBuffer();
		expect(summaries(gateway)).toEqual([
			expect.objectContaining({
				refused: 40,
				logged: full,
				unlogged: 40 - full,
				top: [{ reason: "origin-not-allowed", origin: EVIL, refused: 40 }],
			}),
		]);
	});

	it.each(["-1", "ten", "1e99x"])("REFUSAL_LOG_LIMIT = %j is a configuration error naming the var", async (value) => {
		const gateway = testGateway({ REFUSAL_LOG_LIMIT: value });
		const res = await gateway.fetch("/echo", { headers: { origin: EVIL } });
		expect(res.status).toBe(500);
		expect(await res.text()).toContain("REFUSAL_LOG_LIMIT must be a number of at least 0");
	});
});

describe("log lines stay small whatever the request sends", () => {
	it("every field is cut to 256 characters", async () => {
		const huge = "X".repeat(20_000);
		const gateway = testGateway();
		const res = await gateway.fetch(`/${"p".repeat(5_000)}`, {
			method: "OPTIONS",
			headers: { origin: ORIGIN, "access-control-request-method": huge, "access-control-request-headers": huge },
		});
		expect(res.status).toBe(403);
		const [line] = gateway.logs;
		expect(line).toMatchObject({ event: "cors-refused", reason: "method-not-allowed" });
		for (const value of Object.values(line as object)) {
			if (typeof value === "string") expect(value.length).toBeLessThanOrEqual(256);
		}
		expect(JSON.stringify(line).length).toBeLessThan(2_048);
	});
});

describe("the Worker entry writes each line as JSON to the console (what wrangler tail shows)", () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it("one parseable JSON line per refusal", async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		const res = await exports.default.fetch(
			new Request(`${GATEWAY}/echo`, { headers: { origin: "https://evil.example.net" } }),
		);
		expect(res.status).toBe(403);
		const lines = log.mock.calls.map(([text]) => JSON.parse(String(text)) as Record<string, unknown>);
		expect(lines.filter((l) => l.event === "cors-refused")).toEqual([
			expect.objectContaining({ reason: "origin-not-allowed", origin: "https://evil.example.net", method: "GET" }),
		]);
	});
});
