// docs/SPEC.md "Report-only mode" and the CORS_ANALYTICS binding, end to end inside
// workerd: the document in the real local KV, the real upstream scripted to answer with
// chosen CORS headers (`h=name:value`), and the real local Analytics Engine binding,
// wrapped to record what the gateway writes to it.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { planShards } from "../../src/shards/plan.ts";
import type { Env } from "../../src/worker/config.ts";
import {
	accessControl,
	DOC,
	GATEWAY,
	newTag,
	ORIGIN,
	publishPlan,
	putAllowlist,
	received,
	type TestGateway,
	testGateway,
} from "../support/gateway.ts";
import { ENTRY_POINTS } from "../support/middleware.ts";

const EVIL = "https://evil.example.net";
const REPORTING = { ...DOC, mode: "report-only" };

/** A path on the upstream that answers with these headers (and `status`, default 200). */
function scripted(headers: object, status?: number, base = "/echo"): string {
	const query = Object.entries(headers).map(([n, v]) => `h=${encodeURIComponent(`${n}:${v}`)}`);
	return `${status === undefined ? base : `/status/${status}`}${query.length ? `?${query.join("&")}` : ""}`;
}

async function send(gateway: TestGateway, path: string, method: string, headers: object) {
	const tag = newTag();
	const res = await gateway.fetch(path, {
		method,
		headers: { ...(headers as Record<string, string>), "x-test-tag": tag },
	});
	await res.arrayBuffer();
	return { res, reached: await received(tag) };
}

const reports = (gateway: TestGateway) => gateway.logs.filter((l) => l.event === "cors-report");

const preflight = (method: string, headers?: string) => ({
	origin: ORIGIN,
	"access-control-request-method": method,
	...(headers === undefined ? {} : { "access-control-request-headers": headers }),
});

// The middleware too: the app's own answer is the target's.
describe.each(ENTRY_POINTS)("through the $name", (entry) => {
	describe("report-only: every request is forwarded and the target's answer returned untouched", () => {
		beforeEach(async () => {
			await putAllowlist(REPORTING);
		});

		it.each([
			{ rule: "an origin the allowlist refuses", method: "GET", headers: { origin: EVIL } },
			{ rule: "a preflight the allowlist approves", method: "OPTIONS", headers: preflight("PUT", "x-custom") },
			{ rule: "a preflight the allowlist refuses", method: "OPTIONS", headers: preflight("PATCH") },
			{ rule: "a malformed Origin", method: "GET", headers: { origin: `${ORIGIN}/` } },
			{ rule: "a request without Origin", method: "GET", headers: {} },
		])("$rule: the upstream sees it, and its CORS headers come back as sent", async ({ method, headers }) => {
			const sent = { "access-control-allow-origin": "https://upstream-choice.example", "access-control-max-age": "5" };
			const { res, reached } = await send(entry.testGateway(), scripted({ ...sent, vary: "accept" }), method, headers);
			expect(res.status).toBe(200);
			expect(reached.map((r) => r.method)).toEqual([method]);
			expect(Object.fromEntries(accessControl(res))).toEqual(sent);
			expect(res.headers.get("vary")).toBe("accept"); // no Vary: Origin merged in
		});

		it("a target without CORS headers: none are added", async () => {
			const { res } = await send(entry.testGateway(), "/status/204", "OPTIONS", preflight("PUT"));
			expect(res.status).toBe(204);
			expect(accessControl(res)).toEqual([]);
			expect(res.headers.has("vary")).toBe(false);
		});
	});
});

describe("the mode of the request's route decides", () => {
	const STRICT = { ...REPORTING, routes: { "/strict": { mode: "enforce" } } };
	const TRIAL = { ...DOC, routes: { "/trial": { mode: "report-only" } } };
	it.each([
		{ rule: "a report-only top level forwards a refused origin", doc: REPORTING, path: "/echo", forwarded: true },
		{ rule: "an enforcing route under it refuses", doc: STRICT, path: "/strict/x", forwarded: false },
		{ rule: "…while the rest still reports", doc: STRICT, path: "/echo", forwarded: true },
		{
			rule: "a report-only route under an enforcing top level forwards",
			doc: TRIAL,
			path: "/trial/x",
			forwarded: true,
		},
		{ rule: "…while the top level still refuses", doc: TRIAL, path: "/echo", forwarded: false },
	])("$rule ($path)", async ({ doc, path, forwarded }) => {
		await putAllowlist(doc);
		const { res, reached } = await send(testGateway(), path, "GET", { origin: EVIL });
		expect(res.status).toBe(forwarded ? 200 : 403);
		expect(reached).toHaveLength(forwarded ? 1 : 0);
	});

	it("a report-only route's line names the route", async () => {
		await putAllowlist(TRIAL);
		const gateway = testGateway();
		await send(gateway, scripted({ "access-control-allow-origin": EVIL }, undefined, "/trial/x"), "GET", {
			origin: EVIL,
		});
		expect(reports(gateway)).toEqual([
			expect.objectContaining({ route: "/trial", reason: "allowlist-refuses-origin" }),
		]);
	});
});

describe("each kind of difference is one cors-report line with both decisions", () => {
	beforeEach(async () => {
		await putAllowlist(REPORTING);
	});
	const ALL = {
		"access-control-allow-origin": "*",
		"access-control-allow-methods": "*",
		"access-control-allow-headers": "*",
	};

	it.each([
		{
			reason: "allowlist-refuses-origin",
			method: "GET",
			headers: { origin: EVIL },
			answer: { "access-control-allow-origin": EVIL },
		},
		{ reason: "allowlist-refuses-method", method: "OPTIONS", headers: preflight("PATCH"), answer: ALL },
		{ reason: "allowlist-refuses-header", method: "OPTIONS", headers: preflight("PUT", "x-other"), answer: ALL },
		{
			reason: "allowlist-refuses-credentials",
			method: "GET",
			headers: { origin: ORIGIN },
			answer: { "access-control-allow-origin": ORIGIN, "access-control-allow-credentials": "true" },
		},
		{ reason: "target-refuses-origin", method: "GET", headers: { origin: ORIGIN }, answer: {} },
		{
			reason: "target-refuses-method",
			method: "OPTIONS",
			headers: preflight("PUT"),
			answer: { "access-control-allow-origin": ORIGIN, "access-control-allow-methods": "GET" },
		},
		{
			reason: "target-refuses-header",
			method: "OPTIONS",
			headers: preflight("PUT", "x-custom"),
			answer: { "access-control-allow-origin": ORIGIN, "access-control-allow-methods": "PUT" },
		},
		{ reason: "target-refuses-status", method: "OPTIONS", headers: preflight("PUT"), answer: {}, status: 404 },
	])("$reason", async ({ reason, method, headers, answer, status }) => {
		const gateway = testGateway();
		await send(gateway, scripted(answer, status), method, headers);
		const lines = reports(gateway);
		expect(lines).toHaveLength(1);
		const allowlistRefuses = reason.startsWith("allowlist-");
		expect(lines[0]).toMatchObject({
			reason,
			allowlist: { decision: allowlistRefuses ? "refuse" : "allow" },
			target: { decision: allowlistRefuses ? "allow" : "refuse", status: status ?? 200 },
		});
		expect(gateway.logs.filter((l) => l.event === "cors-refused")).toEqual([]);
	});

	it("the line, whole: request, both decisions, and what the target sent", async () => {
		const gateway = testGateway();
		await send(gateway, scripted(ALL), "OPTIONS", preflight("PATCH", "x-custom"));
		expect(reports(gateway)).toEqual([
			{
				event: "cors-report",
				reason: "allowlist-refuses-method",
				route: null,
				origin: ORIGIN,
				method: "OPTIONS",
				requestMethod: "PATCH",
				requestHeaders: "x-custom",
				path: "/echo",
				allowlist: { decision: "refuse", reason: "method-not-allowed", detail: "PATCH" },
				target: { decision: "allow", status: 200, headers: ALL },
			},
		]);
	});

	it("request values are cut to 256 characters", async () => {
		const gateway = testGateway();
		const long = `https://${"a".repeat(600)}.example.com`;
		await send(gateway, scripted({ "access-control-allow-origin": long }), "GET", { origin: long });
		const [line] = reports(gateway);
		expect(line).toMatchObject({ reason: "allowlist-refuses-origin", origin: long.slice(0, 256) });
		expect(JSON.stringify(line).length).toBeLessThan(2_048);
	});
});

describe("agreement logs nothing", () => {
	beforeEach(async () => {
		await putAllowlist(REPORTING);
	});
	it.each([
		{ rule: "both allow", headers: { origin: ORIGIN }, answer: { "access-control-allow-origin": ORIGIN } },
		{ rule: "both refuse", headers: { origin: EVIL }, answer: { "access-control-allow-origin": ORIGIN } },
		{ rule: "no Origin", headers: {}, answer: {} },
		{ rule: "same-origin", headers: { origin: GATEWAY }, answer: {} },
	])("$rule", async ({ headers, answer }) => {
		const gateway = testGateway();
		await send(gateway, scripted(answer), "GET", headers);
		expect(gateway.logs).toEqual([]);
	});
});

describe("an answer the gateway gives itself is no target's answer: nothing to compare", () => {
	it.each([
		{ rule: "an unreachable target (502)", path: "/down/x", status: 502 },
		{ rule: "a path no route serves (404)", path: "/nowhere", status: 404 },
	])("$rule", async ({ path, status }) => {
		await putAllowlist(REPORTING);
		const gateway = testGateway({
			UPSTREAM_URL: "",
			ROUTES: { "/down": inject("unreachableUrl"), "/echo": inject("upstreamUrl") },
		});
		const res = await gateway.fetch(path, { headers: { origin: ORIGIN } });
		expect(res.status).toBe(status);
		await res.arrayBuffer();
		expect(reports(gateway)).toEqual([]);
	});
});

describe("cors-report lines are held to the refusals' bounds", () => {
	it("REFUSAL_LOG_LIMIT full lines per (reason, origin) per minute, then one summary", async () => {
		await putAllowlist(REPORTING);
		const clock = { now: 7_000_000 };
		const gateway = testGateway({ REFUSAL_LOG_LIMIT: "3" }, { now: () => clock.now });
		const path = scripted({ "access-control-allow-origin": EVIL });
		for (let i = 0; i < 25; i++) {
			const res = await gateway.fetch(path, { headers: { origin: EVIL } });
			expect(res.status).toBe(200);
			await res.arrayBuffer();
		}
		expect(reports(gateway)).toHaveLength(3);
		clock.now += 60_000;
		await (await gateway.fetch(path, { headers: { origin: ORIGIN } })).arrayBuffer();
		expect(gateway.logs.filter((l) => l.event === "cors-report-summary")).toEqual([
			expect.objectContaining({
				reported: 25,
				logged: 3,
				unlogged: 22,
				top: [{ reason: "allowlist-refuses-origin", origin: EVIL, reported: 25 }],
			}),
		]);
	});
});

describe("a sharded allowlist's origins are looked up in report-only mode too", () => {
	it.each([
		{
			rule: "an origin of a shard is allowed: the target refusing it is reported",
			origin: ORIGIN,
			answer: {},
			reason: "target-refuses-origin",
		},
		{
			rule: "an origin in no shard is refused: the target allowing it is reported",
			origin: EVIL,
			answer: { "access-control-allow-origin": EVIL },
			reason: "allowlist-refuses-origin",
		},
	])("$rule", async ({ origin, answer, reason }) => {
		await publishPlan(planShards([ORIGIN], `report-${reason}`, 9), { origins: [], mode: "report-only" });
		const gateway = testGateway();
		const { res } = await send(gateway, scripted(answer), "GET", { origin });
		expect(res.status).toBe(200);
		expect(reports(gateway)).toEqual([expect.objectContaining({ reason })]);
	});
});

interface Point {
	blobs: unknown[];
	indexes: unknown[];
}

/** The real local dataset, wrapped so that each data point written is also recorded. */
function recordingAnalytics(fail?: Error): { dataset: AnalyticsEngineDataset; points: Point[] } {
	const points: Point[] = [];
	const real = (env as Env).CORS_ANALYTICS as AnalyticsEngineDataset;
	return {
		points,
		dataset: {
			writeDataPoint(point) {
				points.push({ blobs: point?.blobs ?? [], indexes: point?.indexes ?? [] });
				if (fail) throw fail;
				real.writeDataPoint(point);
			},
		},
	};
}

describe("CORS_ANALYTICS: one data point per refusal and per report-only difference", () => {
	it.each([
		{
			rule: "a refusal",
			doc: DOC,
			path: "/echo",
			headers: { origin: EVIL },
			blobs: ["", "origin-not-allowed", EVIL, "GET", "refused"],
		},
		{
			rule: "a refusal by a route",
			doc: { ...DOC, routes: { "/api": { origins: [] } } },
			path: "/api/x",
			headers: { origin: ORIGIN },
			blobs: ["/api", "origin-not-allowed", ORIGIN, "GET", "refused"],
		},
		{
			rule: "a report-only difference",
			doc: REPORTING,
			path: scripted({ "access-control-allow-origin": EVIL }),
			headers: { origin: EVIL },
			blobs: ["", "allowlist-refuses-origin", EVIL, "GET", "report"],
		},
		{ rule: "an allowed request: none", doc: DOC, path: "/echo", headers: { origin: ORIGIN }, blobs: null },
		{
			rule: "report-only agreement: none",
			doc: REPORTING,
			path: scripted({ "access-control-allow-origin": ORIGIN }),
			headers: { origin: ORIGIN },
			blobs: null,
		},
	])("$rule", async ({ doc, path, headers, blobs }) => {
		await putAllowlist(doc);
		const { dataset, points } = recordingAnalytics();
		await send(testGateway({ CORS_ANALYTICS: dataset }), path, "GET", headers);
		expect(points).toEqual(blobs === null ? [] : [{ blobs, indexes: [blobs[1]] }]);
	});

	it("every refusal, past the log's bounds", async () => {
		await putAllowlist(DOC);
		const { dataset, points } = recordingAnalytics();
		const gateway = testGateway({ CORS_ANALYTICS: dataset, REFUSAL_LOG_LIMIT: "0" });
		for (let i = 0; i < 5; i++) await send(gateway, "/echo", "GET", { origin: EVIL });
		expect(points).toHaveLength(5);
		expect(gateway.logs.filter((l) => l.event === "cors-refused")).toEqual([]);
	});

	it("a throwing binding fails no response, and is logged once", async () => {
		await putAllowlist(DOC);
		const { dataset, points } = recordingAnalytics(new Error("dataset unavailable"));
		const gateway = testGateway({ CORS_ANALYTICS: dataset });
		for (let i = 0; i < 3; i++) {
			const { res } = await send(gateway, "/echo", "GET", { origin: EVIL });
			expect(res.status).toBe(403);
		}
		expect(points).toHaveLength(3);
		expect(gateway.logs.filter((l) => l.event === "analytics-error")).toEqual([
			{ event: "analytics-error", reason: "dataset unavailable" },
		]);
		expect(gateway.logs.filter((l) => l.event === "cors-refused")).toHaveLength(3);
	});

	it("not bound: refusals are answered and logged as ever", async () => {
		await putAllowlist(DOC);
		const gateway = testGateway({ CORS_ANALYTICS: undefined });
		const { res } = await send(gateway, "/echo", "GET", { origin: EVIL });
		expect(res.status).toBe(403);
		expect(gateway.logs.map((l) => l.event)).toEqual(["cors-refused"]);
	});

	it("bound to something that is no dataset: a configuration error naming the binding", async () => {
		const gateway = testGateway({ CORS_ANALYTICS: "yes" as unknown as AnalyticsEngineDataset });
		const res = await gateway.fetch("/echo", { headers: { origin: ORIGIN } });
		expect(res.status).toBe(500);
		expect(await res.text()).toContain("CORS_ANALYTICS must be a Workers Analytics Engine dataset");
	});
});
