// `report`'s parts, table-driven, in this process: the log-stream reader (wrangler tail's
// JSON, pretty or compact; wrangler dev's text with colours and prefixes; garbage), the
// counting of summary lines (made by the Worker's own RefusalLog, not by hand), the time
// window, the top list and its fixes, --since, the Analytics Engine query and answer, and
// the README's example output, as the real command prints it.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSince } from "../../src/cli/commands/report.ts";
import { buildQuery, parseAnswer, sqlSafeRoute } from "../../src/cli/report/analytics-source.ts";
import { fixOf } from "../../src/cli/report/fixes.ts";
import { formatText } from "../../src/cli/report/format.ts";
import { type Observation, readLogStream } from "../../src/cli/report/log-source.ts";
import { type Row, tallyObservations, topGroups } from "../../src/cli/report/tally.ts";
import { RefusalLog } from "../../src/worker/log.ts";
import { cli, ROOT, tempDir } from "../support/cli.ts";

const T0 = Date.parse("2026-12-04T12:00:00.000Z");
const MINUTE = 60_000;

function refused(origin: string, extra: Record<string, unknown> = {}) {
	return {
		event: "cors-refused",
		reason: "origin-not-allowed",
		detail: origin,
		rule: "the origin is not in the allowlist",
		origin,
		method: "GET",
		requestMethod: null,
		requestHeaders: null,
		path: "/api/orders",
		route: "/api",
		...extra,
	};
}

const reportLine = {
	event: "cors-report",
	reason: "allowlist-refuses-origin",
	route: "/legacy",
	origin: "https://partner.example.net",
	method: "GET",
	path: "/legacy/orders",
	allowlist: { decision: "refuse", reason: "origin-not-allowed", detail: "https://partner.example.net" },
	target: { decision: "allow", status: 200, headers: { "access-control-allow-origin": "https://partner.example.net" } },
};

/** One `wrangler tail --format json` record: the invocation, with our lines as its console.log messages. */
function tailRecord(time: number, lines: object[]) {
	return {
		wallTime: 3,
		cpuTime: 1,
		truncated: false,
		executionModel: "stateless",
		outcome: "ok",
		scriptName: "cors-gateway",
		diagnosticsChannelEvents: [],
		exceptions: [],
		logs: lines.map((line, i) => ({ message: [JSON.stringify(line)], level: "log", timestamp: time + i })),
		eventTimestamp: time,
		event: {
			request: { url: "https://gw.example.com/api/orders", method: "GET", headers: {}, cf: {} },
			response: { status: 403 },
		},
		entrypoint: "default",
	};
}

async function* chunks(text: string, size: number): AsyncGenerator<string> {
	for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** (kind route reason origin) → count, from a stream read in `size`-character chunks. */
async function counts(text: string, since: number | null = null, size = text.length || 1) {
	const { observations, stats } = await readLogStream(chunks(text, size));
	const { rows, unnamed } = tallyObservations(observations, { since });
	const out: Record<string, number> = {};
	for (const row of rows) out[`${row.kind} ${row.route} ${row.reason} ${row.origin}`] = row.count;
	return { counts: out, stats, unnamed };
}

const A = "https://a.example.com";
const B = "https://b.example.com";

describe("reading a log stream", () => {
	const pretty = [tailRecord(T0, [refused(A), refused(B)]), tailRecord(T0 + 1000, [refused(A), reportLine])]
		.map((r) => JSON.stringify(r, null, 4))
		.join("\n");
	const compact = [tailRecord(T0, [refused(A), refused(B)]), tailRecord(T0 + 1000, [refused(A), reportLine])]
		.map((r) => JSON.stringify(r))
		.join("\n");
	const expected = {
		[`refused /api origin-not-allowed ${A}`]: 2,
		[`refused /api origin-not-allowed ${B}`]: 1,
		"report /legacy allowlist-refuses-origin https://partner.example.net": 1,
	};
	const devText = [
		" ⛅️ wrangler 4.164.0",
		"\u001b[32m[wrangler:info]\u001b[39m Ready on http://127.0.0.1:8787",
		JSON.stringify(refused(A)),
		"\u001b[2m[wrangler:info] GET /api/orders 403 Forbidden (3ms)\u001b[22m",
		`\u001b[36m${JSON.stringify(refused(B))}\u001b[39m`,
		"[wrangler:warn] something { unbalanced",
		`[wrangler:info] ${JSON.stringify(refused(A))}`,
		JSON.stringify(reportLine),
		"",
	].join("\n");

	it.each([
		{ rule: "wrangler tail --format json, pretty-printed (4 spaces, as wrangler prints it)", text: pretty, timed: 4 },
		{ rule: "wrangler tail --format json, one object per line", text: compact, timed: 4 },
		{ rule: "wrangler dev text: ANSI colours, [wrangler:*] prefixes, a stray brace", text: devText, timed: 0 },
	])("$rule", async ({ text, timed }) => {
		for (const size of [text.length, 7, 1]) {
			const got = await counts(text, null, size);
			expect(got.counts, `chunks of ${size}`).toEqual(expected);
			expect(got.stats.timed).toBe(timed);
			expect(got.stats.untimed).toBe(4 - timed);
		}
	});

	it.each([
		{ rule: "an empty stream", text: "" },
		{ rule: "only wrangler's own lines", text: "[wrangler:info] Ready\n[wrangler:info] GET / 200 OK (1ms)\n" },
		{
			rule: "JSON that is not ours (other events, arrays, numbers)",
			text: '{"event":"allowlist-missing","key":"allowlist"}\n[1,2]\n42\n{"no":"event"}\n',
		},
		{ rule: "a cut-off object at the end", text: `${JSON.stringify(refused(A)).slice(0, 40)}` },
		{ rule: "a line of ours without a reason", text: '{"event":"cors-refused","origin":"https://a.example.com"}\n' },
		{ rule: "binary garbage and lone braces", text: '\u0000\u00ff}}}{{{\n{"event": \n}\n' },
	])("nothing counted from $rule", async ({ text }) => {
		expect((await counts(text)).counts).toEqual({});
	});

	it("garbage around and inside does not hide the lines after it", async () => {
		const text = [
			`{ "half": "${"x".repeat(50)}`,
			JSON.stringify(refused(A)),
			"}}} not json {",
			JSON.stringify(refused(A)),
		].join("\n");
		expect((await counts(text)).counts).toEqual({ [`refused /api origin-not-allowed ${A}`]: 2 });
	});

	it.each([
		{ rule: "after a bad span, inside an unclosed one on the same line", text: `{bad}{ ${JSON.stringify(refused(A))}` },
		{
			rule: "after a bad span, inside a closed one that is no JSON",
			text: `{bad} {x ${JSON.stringify(refused(A))} y}`,
		},
		{ rule: "inside a span cut off by a line break in a string", text: `{"a": "open\n${JSON.stringify(refused(A))}\n` },
	])("a line of ours is found $rule", async ({ text }) => {
		for (const size of [text.length, 3, 1]) {
			expect((await counts(text, null, size)).counts, `chunks of ${size}`).toEqual({
				[`refused /api origin-not-allowed ${A}`]: 1,
			});
		}
	});

	it("a tail record whose message is an object, not a string, is read too", async () => {
		const record = { ...tailRecord(T0, []), logs: [{ message: [refused(A)], level: "log", timestamp: T0 }] };
		expect((await counts(JSON.stringify(record, null, 2))).counts).toEqual({
			[`refused /api origin-not-allowed ${A}`]: 1,
		});
	});
});

/** The lines the Worker's own RefusalLog writes for `n` refusals of A at T0, and one more after the minute. */
function flood(n: number, perKey: number): Record<string, unknown>[] {
	const clock = { now: T0 };
	const out: Record<string, unknown>[] = [];
	const log = new RefusalLog((e) => out.push(e), { perKey, now: () => clock.now });
	for (let i = 0; i < n; i++) {
		clock.now = T0 + i;
		if (log.admit("origin-not-allowed", A)) out.push(refused(A));
	}
	clock.now = T0 + MINUTE + 1;
	log.flushIfDue();
	return out;
}

describe("summary lines", () => {
	it.each([
		{ rule: "a flood of one pair: lines plus the summary's unlogged", n: 50, perKey: 3 },
		{ rule: "REFUSAL_LOG_LIMIT 0: the summary alone", n: 20, perKey: 0 },
		{ rule: "no summary when every refusal was logged", n: 2, perKey: 3 },
	])("$rule counts every refusal once", async ({ n, perKey }) => {
		const lines = flood(n, perKey);
		const text = `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
		const got = await counts(text);
		// The summary names no route: a pair with lines goes to their route, one without to no route.
		const route = perKey === 0 ? "undefined" : "/api";
		expect(got.counts).toEqual({ [`refused ${route} origin-not-allowed ${A}`]: n });
	});

	it("in tail records, a summary claims only the lines of its own minute", async () => {
		// Minute 1: 5 refusals, 3 logged; minute 2 (another isolate's lines): 2 logged; then minute 1's summary.
		const summary = {
			event: "cors-refused-summary",
			since: new Date(T0).toISOString(),
			seconds: 60,
			refused: 5,
			logged: 3,
			unlogged: 2,
			top: [{ reason: "origin-not-allowed", origin: A, refused: 5 }],
		};
		const text = [
			tailRecord(T0, [refused(A), refused(A), refused(A)]),
			tailRecord(T0 + 2 * MINUTE, [refused(A), refused(A)]),
			tailRecord(T0 + 2 * MINUTE + 5, [summary]),
		]
			.map((r) => JSON.stringify(r))
			.join("\n");
		expect((await counts(text)).counts).toEqual({ [`refused /api origin-not-allowed ${A}`]: 7 });
	});

	it("the unlogged refusals of pairs a summary does not name are counted apart", async () => {
		const summary = {
			event: "cors-refused-summary",
			since: new Date(T0).toISOString(),
			seconds: 60,
			refused: 30,
			logged: 0,
			unlogged: 30,
			top: [{ reason: "origin-not-allowed", origin: A, refused: 10 }],
			otherPairs: 20,
		};
		const got = await counts(JSON.stringify(summary));
		expect(got.counts).toEqual({ [`refused undefined origin-not-allowed ${A}`]: 10 });
		expect(got.unnamed).toEqual({ refused: 20, report: 0 });
	});

	it("cors-report-summary lines count report-only differences", async () => {
		const summary = {
			event: "cors-report-summary",
			since: new Date(T0).toISOString(),
			seconds: 60,
			reported: 9,
			logged: 1,
			unlogged: 8,
			top: [{ reason: "allowlist-refuses-origin", origin: "https://partner.example.net", reported: 9 }],
		};
		const text = [JSON.stringify(reportLine), JSON.stringify(summary)].join("\n");
		expect((await counts(text)).counts).toEqual({
			"report /legacy allowlist-refuses-origin https://partner.example.net": 9,
		});
	});
});

describe("the time window", () => {
	const text = [tailRecord(T0 - 3 * 3_600_000, [refused(A), refused(B)]), tailRecord(T0, [refused(A)])]
		.map((r) => JSON.stringify(r, null, 4))
		.join("\n");

	it.each([
		{
			rule: "everything when the window starts before both",
			since: T0 - 4 * 3_600_000,
			expected: { [`refused /api origin-not-allowed ${A}`]: 2, [`refused /api origin-not-allowed ${B}`]: 1 },
		},
		{
			rule: "only the recent record when the window starts between",
			since: T0 - 3_600_000,
			expected: { [`refused /api origin-not-allowed ${A}`]: 1 },
		},
		{ rule: "nothing after the last", since: T0 + 1, expected: {} },
	])("$rule", async ({ since, expected }) => {
		expect((await counts(text, since)).counts).toEqual(expected);
	});

	it("lines without timestamps (wrangler dev) are counted whatever the window", async () => {
		expect((await counts(JSON.stringify(refused(A)), T0 + 1)).counts).toEqual({
			[`refused /api origin-not-allowed ${A}`]: 1,
		});
	});

	it.each([
		{ raw: "30m", from: T0 - 30 * MINUTE, text: "the last 30m" },
		{ raw: "1h", from: T0 - 60 * MINUTE, text: "the last 1h" },
		{ raw: "2d", from: T0 - 2 * 24 * 60 * MINUTE, text: "the last 2d" },
		{ raw: "2026-12-04T11:00:00Z", from: T0 - 60 * MINUTE, text: "since 2026-12-04T11:00:00.000Z" },
		{ raw: "2026-12-03", from: T0 - 36 * 60 * MINUTE, text: "since 2026-12-03T00:00:00.000Z" },
	])("--since $raw", ({ raw, from, text }) => {
		expect(parseSince(raw, T0)).toMatchObject({ from, text });
	});

	it.each(["0h", "1w", "yesterday", "1 h", "-1h", "2026-13-45", "2027-01-01T00:00:00Z"])(
		"--since %s is a usage mistake",
		(raw) => {
			expect(() => parseSince(raw, T0)).toThrow(/--since/);
		},
	);
});

describe("the top list and its fixes", () => {
	const row = (over: Partial<Row>): Row => ({
		kind: "refused",
		route: null,
		reason: "origin-not-allowed",
		origin: A,
		count: 1,
		summarized: 0,
		details: [],
		...over,
	});

	it("keeps the top N origins of each route and reason, most first, and counts the rest", () => {
		const rows = [
			row({ origin: A, count: 5 }),
			row({ origin: B, count: 9 }),
			row({ origin: "https://c.example.com", count: 1 }),
			row({ route: "/api", count: 100 }),
		];
		const groups = topGroups(rows, 2);
		expect(groups.map((g) => [g.route, g.total, g.rows.map((r) => r.count), g.more])).toEqual([
			["/api", 100, [100], { origins: 0, count: 0 }],
			[null, 15, [9, 5], { origins: 1, count: 1 }],
		]);
	});

	it("lists refusals before report-only differences", () => {
		const groups = topGroups(
			[row({ kind: "report", reason: "allowlist-refuses-origin", count: 50 }), row({ count: 1 })],
			10,
		);
		expect(groups.map((g) => g.kind)).toEqual(["refused", "report"]);
	});

	it.each([
		{ rule: "a refused origin at the top level", over: {}, fix: `npx cors-gateway add ${A}` },
		{ rule: "a refused origin on a route", over: { route: "/api" }, fix: `npx cors-gateway add --route /api ${A}` },
		{
			rule: "a report-only difference the allowlist would refuse",
			over: { kind: "report", reason: "allowlist-refuses-origin", route: "/legacy" },
			fix: `npx cors-gateway add --route /legacy ${A}`,
		},
		{
			rule: "a refused method names it",
			over: { reason: "method-not-allowed", details: ["PATCH"] },
			fix: /^add "PATCH" to "methods"; edit it with "cors-gateway pull/,
		},
		{
			rule: "a refused header on a route names it and the route",
			over: { reason: "header-not-allowed", route: "/api", details: ["x-api-key"] },
			fix: /^add "x-api-key" to the headers of route \/api/,
		},
		{
			rule: "the null origin, with a warning",
			over: { origin: "null" },
			fix: /^npx cors-gateway add null {2}\("null" is what sandboxed iframes.*only if you mean that\)$/,
		},
		{
			rule: "a malformed Origin: nothing to add",
			over: { reason: "origin-malformed", origin: "https://a.example.com/" },
			fix: null,
		},
		{
			rule: "the target refuses what the allowlist allows: nothing to add",
			over: { kind: "report", reason: "target-refuses-origin" },
			fix: null,
		},
		{ rule: "a pair only summaries named: no route to fix", over: { route: undefined }, fix: null },
	] as { rule: string; over: Partial<Row>; fix: string | RegExp | null }[])("$rule", ({ over, fix }) => {
		const got = fixOf(row(over));
		if (fix instanceof RegExp) expect(got).toMatch(fix);
		else expect(got).toBe(fix);
	});

	it('an empty result says "no refusals in" the window', async () => {
		const { observations } = await readLogStream(chunks("", 1));
		const tallied = tallyObservations(observations as Observation[], { since: T0 });
		const text = formatText(
			{ source: "refusals in tail.json", window: "the last 24h", untimed: 0, truncated: false },
			tallied,
			topGroups(tallied.rows, 10),
		);
		expect(text).toContain("no refusals and no report-only differences in the last 24h");
	});
});

describe("the Analytics Engine query", () => {
	it("sums _sample_interval per route, reason, origin and kind over the window, as JSON", () => {
		const sql = buildQuery("cors_gateway", { amount: 24, unit: "HOUR" }, undefined);
		expect(sql).toContain("SUM(_sample_interval) AS n");
		expect(sql).toContain("FROM cors_gateway");
		expect(sql).toContain("WHERE timestamp > NOW() - INTERVAL '24' HOUR\n");
		expect(sql).toContain("GROUP BY blob1, blob2, blob3, blob5");
		expect(sql).toMatch(/ORDER BY n DESC\nLIMIT \d+\nFORMAT JSON$/);
	});

	it("an ISO --since becomes a fixed UTC time", () => {
		expect(buildQuery("d", { from: new Date(T0) }, undefined)).toContain(
			"WHERE timestamp >= toDateTime('2026-12-04 12:00:00')",
		);
	});

	it.each([
		{ route: "/api", inSql: true },
		{ route: "api.example.com/v2", inSql: true },
		{ route: "/it's", inSql: false },
		{ route: "/a\\b", inSql: false },
		{ route: "/x%27;DROP", inSql: false },
	])("route $route goes into the SQL: $inSql", ({ route, inSql }) => {
		expect(sqlSafeRoute(route)).toBe(inSql);
		const sql = buildQuery("cors_gateway", { amount: 1, unit: "DAY" }, route);
		expect(sql.includes(`AND blob1 = '${route}'`)).toBe(inSql);
		expect(sql.split("'").length).toBe(inSql ? 5 : 3);
	});

	it.each(["cors gateway", "x;DROP", "1abc", "", "a-b"])("dataset %j is refused", (dataset) => {
		expect(() => buildQuery(dataset, { amount: 1, unit: "DAY" }, undefined)).toThrow(/no dataset name/);
	});

	it("reads the documented answer: counts as numbers or numeric strings, empty blobs as none", () => {
		const answer = parseAnswer(
			JSON.stringify({
				meta: [{ name: "blob1", type: "String" }],
				data: [
					{ blob1: "/api", blob2: "origin-not-allowed", blob3: A, blob5: "refused", n: "42" },
					{ blob1: "", blob2: "origin-empty", blob3: "", blob5: "refused", n: 3 },
				],
				rows: 2,
				rows_before_limit_at_least: 2,
			}),
		);
		expect(answer).toEqual({
			rows: [
				{ kind: "refused", route: "/api", reason: "origin-not-allowed", origin: A, count: 42 },
				{ kind: "refused", route: null, reason: "origin-empty", origin: null, count: 3 },
			],
			truncated: false,
		});
	});

	it.each([
		{ rule: "not JSON", text: "<html>", message: /not JSON/ },
		{ rule: "no data", text: "{}", message: /no "data" list/ },
		{
			rule: "a count that is no number",
			text: '{"data":[{"blob2":"x","blob5":"refused","n":"many"}]}',
			message: /unexpected row/,
		},
	])("refuses an answer with $rule", ({ text, message }) => {
		expect(() => parseAnswer(text)).toThrow(message);
	});
});

describe("the README's example", () => {
	it("is what report prints for that log, line for line", async () => {
		const readme = await readFile(join(ROOT, "README.md"), "utf8");
		const section = readme.slice(readme.indexOf("### Migrating with report-only mode"));
		const command = "$ npx cors-gateway report --logs tail.json --since 2h\n";
		const start = section.indexOf(command);
		expect(start, "the README's report example").toBeGreaterThan(0);
		const shown = section
			.slice(start + command.length, section.indexOf("```", start))
			.split("\n")
			.map((line) => line.replace(/^ {3}/, "").trimEnd());

		const now = Date.now() - MINUTE;
		const report = (reason: string, origin: string, detail: string) => ({
			...reportLine,
			reason,
			origin,
			allowlist: { decision: "refuse", reason: "x", detail },
		});
		const lines = [
			...Array.from({ length: 3 }, () => ({ ...refused("https://evil.example.net"), route: null })),
			...Array.from({ length: 9 }, () =>
				report("allowlist-refuses-origin", "https://partner.example.net", "https://partner.example.net"),
			),
			...Array.from({ length: 3 }, () =>
				report("allowlist-refuses-origin", "https://admin.example.com", "https://admin.example.com"),
			),
			...Array.from({ length: 2 }, () => report("allowlist-refuses-header", "https://app.example.com", "x-api-key")),
		];
		const dir = await tempDir();
		try {
			await writeFile(
				join(dir, "tail.json"),
				lines.map((line, i) => JSON.stringify(tailRecord(now + i, [line]), null, 4)).join("\n"),
			);
			const run = await cli(["report", "--logs", "tail.json", "--since", "2h"], { cwd: dir });
			expect(run.code, run.stderr).toBe(0);
			expect(run.stdout.split("\n").map((line) => line.trimEnd())).toEqual(shown);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
