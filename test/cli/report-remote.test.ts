// `cors-gateway report --remote` against a local stand-in for the Analytics Engine SQL API
// (CORS_GATEWAY_API_BASE points the command at it): the request it sends (method, path with
// the account id, bearer token, the SQL with the dataset and the window), the documented
// `FORMAT JSON` answer read back (counts as strings), the API's errors, and the usage
// mistakes (missing environment variables, no dataset).
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cli, expectNoStackTrace, withTempDirs } from "../support/cli.ts";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TOKEN = "test-token-abc";

interface Seen {
	method: string;
	url: string;
	authorization: string | undefined;
	contentType: string | undefined;
	body: string;
}

interface Answer {
	status: number;
	body: string;
	type?: string;
}

const DOCUMENTED = {
	meta: [
		{ name: "blob1", type: "String" },
		{ name: "blob2", type: "String" },
		{ name: "blob3", type: "String" },
		{ name: "blob5", type: "String" },
		{ name: "n", type: "UInt64" },
	],
	data: [
		{ blob1: "", blob2: "origin-not-allowed", blob3: "https://evil.example.net", blob5: "refused", n: "420" },
		{ blob1: "/api", blob2: "origin-not-allowed", blob3: "https://app.example.com", blob5: "refused", n: "42" },
		{ blob1: "", blob2: "origin-not-allowed", blob3: "https://other.example.org", blob5: "refused", n: 7 },
		{
			blob1: "/legacy",
			blob2: "allowlist-refuses-origin",
			blob3: "https://partner.example.net",
			blob5: "report",
			n: "5",
		},
		{ blob1: "", blob2: "origin-malformed", blob3: "https://app.example.com/", blob5: "refused", n: "3" },
	],
	rows: 5,
	rows_before_limit_at_least: 5,
};

let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: Answer = { status: 200, body: JSON.stringify(DOCUMENTED), type: "application/json" };
let config: string;
let noDatasetConfig: string;

withTempDirs(async (make) => {
	const dir = await make();
	config = join(dir, "wrangler.toml");
	await writeFile(
		config,
		[
			'name = "cors-gateway"',
			'main = "src/index.ts"',
			'compatibility_date = "2026-11-09"',
			"[[analytics_engine_datasets]]",
			'binding = "CORS_ANALYTICS"',
			'dataset = "cors_gateway"',
			"[env.staging]",
			"[[env.staging.analytics_engine_datasets]]",
			'binding = "CORS_ANALYTICS"',
			'dataset = "cors_gateway_staging"',
			"",
		].join("\n"),
	);
	noDatasetConfig = join(dir, "wrangler-none.toml");
	await writeFile(noDatasetConfig, 'name = "cors-gateway"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-09"\n');
});

beforeAll(async () => {
	server = createServer((req, res) => {
		let body = "";
		req.on("data", (c) => {
			body += c;
		});
		req.on("end", () => {
			seen.push({
				method: req.method ?? "",
				url: req.url ?? "",
				authorization: req.headers.authorization,
				contentType: req.headers["content-type"],
				body,
			});
			res.writeHead(answer.status, { "content-type": answer.type ?? "text/plain" });
			res.end(answer.body);
		});
	});
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
});

afterAll(() => {
	server?.close();
});

beforeEach(() => {
	seen.length = 0;
	answer = { status: 200, body: JSON.stringify(DOCUMENTED), type: "application/json" };
});

function remote(args: string[], env: Record<string, string | undefined> = {}) {
	return cli(["report", "--remote", ...args], {
		env: { CLOUDFLARE_ACCOUNT_ID: ACCOUNT, CLOUDFLARE_API_TOKEN: TOKEN, CORS_GATEWAY_API_BASE: base, ...env },
	});
}

describe("report --remote", () => {
	it("posts the SQL with the bearer token to the account's endpoint and prints the top list with fixes", async () => {
		const run = await remote(["--config", config, "--since", "2h"]);
		expect(run.code, run.stderr).toBe(0);
		expect(seen).toHaveLength(1);
		const [request] = seen as [Seen];
		expect(request.method).toBe("POST");
		expect(request.url).toBe(`/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`);
		expect(request.authorization).toBe(`Bearer ${TOKEN}`);
		expect(request.contentType).toMatch(/^text\/plain/);
		expect(request.body).toContain("SUM(_sample_interval)");
		expect(request.body).toContain("FROM cors_gateway\n");
		expect(request.body).toContain("timestamp > NOW() - INTERVAL '2' HOUR");
		expect(request.body).toContain("GROUP BY blob1, blob2, blob3, blob5");
		expect(request.body).toMatch(/FORMAT JSON$/);

		const out = run.stdout;
		expect(out).toContain("refusals in Analytics Engine dataset cors_gateway: the last 2h");
		const order = [
			"Refused: 472",
			"  top level",
			"    origin-not-allowed (427)",
			"      420  https://evil.example.net",
			"fix: npx cors-gateway add https://evil.example.net",
			"        7  https://other.example.org",
			"    origin-malformed (3)",
			"  route /api",
			"      42  https://app.example.com",
			"fix: npx cors-gateway add --route /api https://app.example.com",
			"Report-only differences",
			"  route /legacy",
			"      5  https://partner.example.net",
			"fix: npx cors-gateway add --route /legacy https://partner.example.net",
		];
		let at = 0;
		for (const piece of order) {
			const found = out.indexOf(piece, at);
			expect(found, `${JSON.stringify(piece)} in:\n${out}`).toBeGreaterThanOrEqual(0);
			at = found + piece.length;
		}
		// A malformed Origin is not the allowlist's to fix.
		expect(out).not.toContain("fix: npx cors-gateway add https://app.example.com/");
	});

	it("--env picks that environment's dataset; --dataset overrides; an ISO --since is a fixed time", async () => {
		await remote(["--config", config, "--env", "staging"]);
		expect(seen[0]?.body).toContain("FROM cors_gateway_staging\n");
		expect(seen[0]?.body).toContain("INTERVAL '24' HOUR");
		await remote(["--dataset", "other_set", "--since", "2026-12-01T00:00:00Z", "--json"]);
		expect(seen[1]?.body).toContain("FROM other_set\n");
		expect(seen[1]?.body).toContain("timestamp >= toDateTime('2026-12-01 00:00:00')");
	});

	it("--route: a safe key filters in the SQL; any other is kept out of it and filtered here", async () => {
		const run = await remote(["--dataset", "cors_gateway", "--route", "/api"]);
		expect(seen[0]?.body).toContain("AND blob1 = '/api'");
		expect(run.stdout).toContain("42  https://app.example.com");
		expect(run.stdout).not.toContain("evil.example.net");
		const odd = await remote(["--dataset", "cors_gateway", "--route", "/it's"]);
		expect(odd.code, odd.stderr).toBe(0);
		expect(seen[1]?.body).not.toContain("it's");
		expect(seen[1]?.body.split("'")).toHaveLength(3);
		expect(odd.stdout).toContain("no refusals and no report-only differences in the last 24h on route /it's");
	});

	it.each([
		{
			rule: "401 with Cloudflare's errors",
			answer: {
				status: 401,
				type: "application/json",
				body: JSON.stringify({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }),
			},
			says: [/answered 401 Unauthorized; check that CLOUDFLARE_API_TOKEN/, /Authentication error \(code 10000\)/],
		},
		{
			rule: "422 with a plain-text SQL error",
			answer: { status: 422, body: "unable to find type of column: blob9" },
			says: [/answered 422/, /unable to find type of column: blob9/],
		},
		{
			rule: "500 with a huge body, cut short",
			answer: { status: 500, body: "x".repeat(50_000) },
			says: [/answered 500/, /… \(50000 characters\)/],
		},
		{
			rule: "200 that is not the documented JSON",
			answer: { status: 200, body: "<html>gateway</html>" },
			says: [/not JSON/],
		},
	])("$rule: exit 1 with the status and the API's words, no stack trace", async ({ answer: given, says }) => {
		answer = given;
		const run = await remote(["--dataset", "cors_gateway"]);
		expect(run.code).toBe(1);
		for (const pattern of says) expect(run.stderr).toMatch(pattern);
		expect(run.stderr.length).toBeLessThan(2_000);
		expectNoStackTrace(run);
	});

	it("an unreachable API: exit 1, naming it", async () => {
		const run = await remote(["--dataset", "cors_gateway"], { CORS_GATEWAY_API_BASE: "http://127.0.0.1:9/client/v4" });
		expect(run.code).toBe(1);
		expect(run.stderr).toContain("cannot reach http://127.0.0.1:9/client/v4");
		expectNoStackTrace(run);
	});

	it.each([
		{ env: { CLOUDFLARE_ACCOUNT_ID: "" }, says: /set CLOUDFLARE_ACCOUNT_ID .*wrangler whoami/ },
		{ env: { CLOUDFLARE_API_TOKEN: "" }, says: /set CLOUDFLARE_API_TOKEN .*Account Analytics: Read.*api-tokens/ },
		{ env: { CLOUDFLARE_ACCOUNT_ID: "../../x" }, says: /CLOUDFLARE_ACCOUNT_ID is not an account id/ },
	])("$env: a usage mistake naming the variable, nothing sent", async ({ env, says }) => {
		const run = await remote(["--dataset", "cors_gateway"], env);
		expect(run.code).toBe(2);
		expect(run.stderr).toMatch(says);
		expect(seen).toHaveLength(0);
	});

	it("no dataset: neither --dataset nor a CORS_ANALYTICS binding in the configuration", async () => {
		const run = await remote(["--config", noDatasetConfig]);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain('no [[analytics_engine_datasets]] entry with binding = "CORS_ANALYTICS"');
		expect(run.stderr).toContain("--dataset NAME");
		expect(seen).toHaveLength(0);
		const bad = await remote(["--dataset", "x; DROP TABLE y"]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain("no dataset name");
	});
});
