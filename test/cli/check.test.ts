// `cors-gateway check`: the Worker's own decision for a browser request, explained, with
// the exact headers the gateway sends; exit 0 approved, 1 refused. Documents come from a
// file, or from a real local KV directory.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, expectNoStackTrace, seed, withTempDirs } from "../support/cli.ts";

const DOC = {
	origins: ["https://app.example.com", "https://*.example.com", "http://localhost:5173"],
	methods: ["GET", "HEAD", "POST", "PUT", "PATCH"],
	headers: ["content-type", "authorization"],
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};

let dir: string;
let file: string;
withTempDirs(async (make) => {
	dir = await make();
	file = join(dir, "allowlist.json");
	await writeFile(file, JSON.stringify(DOC));
});

async function check(args: string[]) {
	const run = await cli(["check", ...args, "--file", file]);
	expectNoStackTrace(run);
	return run;
}

describe("check: approved requests, by which entry, with the exact headers", () => {
	it("a simple GET from an exact origin: forwarded, with Access-Control-Allow-Origin and Vary", async () => {
		const run = await check(["https://app.example.com"]);
		expect(run.stdout).toContain(
			`approved: a page on https://app.example.com may send GET

Request: GET (no preflight: a CORS-safelisted method and headers)
  approved by the entry "https://app.example.com"; forwarded upstream, and the gateway sets on the response:
    Access-Control-Allow-Origin: https://app.example.com
    Access-Control-Expose-Headers: x-request-id
    Vary: Origin (merged into the upstream's Vary)
`,
		);
		expect(run.code).toBe(0);
	});

	it("a preflighted PUT from a subdomain: the 204 headers, then the forwarded request", async () => {
		const run = await check([
			"https://shop.example.com",
			"--method",
			"PUT",
			"--header",
			"Authorization",
			"--header",
			"content-type",
		]);
		expect(
			run.stdout,
		).toContain(`Preflight: OPTIONS with Access-Control-Request-Method: PUT, Access-Control-Request-Headers: authorization,content-type
  approved by the entry "https://*.example.com"; the gateway answers 204 itself, never forwarded, with:
    Access-Control-Allow-Origin: https://shop.example.com
    Access-Control-Allow-Methods: GET, HEAD, POST, PUT, PATCH
    Access-Control-Allow-Headers: accept, accept-language, content-language, content-type, range, authorization
    Access-Control-Max-Age: 600
    Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
Request: PUT
  approved by the entry "https://*.example.com"; forwarded upstream`);
		expect(run.code).toBe(0);
	});

	it("Access-Control-Allow-Origin is the request's Origin byte for byte, not the entry", async () => {
		const run = await check(["https://APP.example.com:443"]);
		expect(run.stdout).toContain('approved by the entry "https://app.example.com"');
		expect(run.stdout).toContain("Access-Control-Allow-Origin: https://APP.example.com:443\n");
		expect(run.code).toBe(0);
	});

	it('"*" without credentials: Access-Control-Allow-Origin: * and no Vary', async () => {
		const run = await cli(["check", "https://anyone.example.net", "--file", "-"], { input: '{"origins": ["*"]}' });
		expect(run.stdout).toContain('approved by the entry "*"');
		expect(run.stdout).toContain("    Access-Control-Allow-Origin: *\n");
		expect(run.stdout).not.toContain("Vary");
		expect(run.code).toBe(0);
	});

	it("credentials on: Access-Control-Allow-Credentials: true", async () => {
		const run = await cli(["check", "https://app.example.com", "--file", "-"], {
			input: '{"origins": ["https://app.example.com"], "credentials": true}',
		});
		expect(run.stdout).toContain("    Access-Control-Allow-Credentials: true\n");
		expect(run.code).toBe(0);
	});
});

describe("check: refusals, in words, with what to change (exit 1)", () => {
	it.each([
		[
			"origin not listed",
			["https://evil.example.net"],
			"refused: the origin is not in the allowlist (https://evil.example.net)",
			"to allow it: cors-gateway add https://evil.example.net",
		],
		[
			"a wildcard never matches its apex",
			["https://example.com"],
			"refused: the origin is not in the allowlist",
			'"https://*.example.com" matches subdomains of example.com only, never example.com itself',
		],
		[
			"the scheme is part of the origin",
			["http://app.example.com"],
			"refused: the origin is not in the allowlist",
			'"https://app.example.com" is listed, but this page is served over http',
		],
		[
			"the port is part of the origin",
			["http://localhost:3000"],
			"refused: the origin is not in the allowlist",
			'"http://localhost:5173" is listed, but this page is on port 3000',
		],
		[
			"a malformed origin, with the likely meaning",
			["https://app.example.com/"],
			"refused: the Origin header is not a serialized origin",
			'did you mean "https://app.example.com"?',
		],
		[
			"a method not listed",
			["https://app.example.com", "--method", "DELETE"],
			"refused: the requested method is not in the allowlist's methods (DELETE)",
			'to allow it: add "DELETE" to "methods"',
		],
		[
			"methods are case-sensitive",
			["https://app.example.com", "--method", "patch"],
			"refused: the requested method is not in the allowlist's methods (patch)",
			'methods are case-sensitive: browsers send "patch" exactly as the page writes it',
		],
		[
			"a header not listed",
			["https://app.example.com", "--method", "POST", "--header", "X-Api-Key"],
			"refused: a requested header is not in the allowlist's headers (x-api-key)",
			'to allow it: add "x-api-key" to "headers"',
		],
	])("%s", async (_rule, args, reason, hint) => {
		const run = await check(args);
		expect(run.stdout).toMatch(/^refused: a page on /);
		expect(run.stdout).toContain(reason);
		expect(run.stdout).toContain(hint);
		expect(run.stdout).toContain("the gateway answers 403, never forwarded, with no Access-Control-Allow-* headers:");
		expect(run.stdout).not.toContain("Access-Control-Allow-Origin");
		expect(run.code).toBe(1);
	});

	it("fetch() upper-cases the six standard methods, so get is GET", async () => {
		const run = await check(["https://app.example.com", "--method", "put"]);
		expect(run.stdout).toContain(
			'(fetch() sends method "put" as PUT)\nPreflight: OPTIONS with Access-Control-Request-Method: PUT',
		);
		expect(run.code).toBe(0);
	});

	it("after a refused preflight the browser never sends the request", async () => {
		const run = await check(["https://app.example.com", "--method", "DELETE"]);
		expect(run.stdout).toContain("Request: DELETE\n  not sent: the browser stops at a refused preflight\n");
	});
});

describe("check: usage mistakes (exit 2)", () => {
	it.each([
		[
			"no origin",
			["check"],
			'check: missing ORIGIN (the calling page\'s origin, e.g. https://app.example.com); run "cors-gateway check --help"',
		],
		[
			"--file with --local",
			["check", "https://a.example", "--file", "x.json", "--local"],
			"check: --file and --local exclude each other",
		],
		[
			"--local with --remote",
			["check", "https://a.example", "--local", "--remote"],
			"check: --local and --remote exclude each other",
		],
		[
			"--method without a value",
			["check", "https://a.example", "--method"],
			'check: --method needs a value; run "cors-gateway check --help"',
		],
	])("%s", async (_what, args, message) => {
		const run = await cli(args);
		expect(run.stderr).toBe(`cors-gateway: ${message}\n`);
		expect(run.code).toBe(2);
	});

	it("an invalid --file is a validation failure (exit 1), not a decision", async () => {
		const run = await cli(["check", "https://a.example", "--file", "-"], { input: '{"origins": ["a.example"]}' });
		expect(run.stderr).toContain('error: origins[0]: "a.example": the entry has no scheme');
		expect(run.stdout).toBe("");
		expect(run.code).toBe(1);
	});
});

describe("check --path and --host: the route that decides, and where else it is allowed", () => {
	const ROUTES = {
		origins: ["https://app.example.com"],
		routes: { "/api": { origins: ["https://partner.example"] }, "assets.example.com/": { origins: ["*"] } },
	};
	const routed = (args: string[]) => cli(["check", ...args, "--file", "-"], { input: JSON.stringify(ROUTES) });

	it.each([
		[
			"approved by a route",
			["https://partner.example", "--path", "/api/users"],
			0,
			'approved: a page on https://partner.example may send GET to /api/users\n\ndecided by route "/api"\n',
		],
		[
			"refused by a route, allowed elsewhere",
			["https://app.example.com", "--path", "/api/users"],
			1,
			"  - to allow it: cors-gateway add --route /api https://app.example.com\n  - allowed on the top level and assets.example.com/, not on /api\n",
		],
		[
			"a host key, with --host (any case)",
			["https://evil.example", "--host", "Assets.Example.com", "--path", "/api"],
			0,
			'decided by route "assets.example.com/"',
		],
		[
			"no key matches: the top level",
			["https://app.example.com", "--path", "/orders"],
			0,
			"decided by the top level (no route matches /orders)",
		],
	])("%s", async (_rule, args, code, says) => {
		const run = await routed(args);
		expect(run.stdout).toContain(says);
		expect(run.code).toBe(code);
	});

	it.each([
		[
			"a URL given to --path",
			["--path", "https://api.example.com/api/users"],
			'check: --path takes the path alone, not a URL (got "https://api.example.com/api/users"); give the URL\'s host and path apart: --host api.example.com --path /api/users',
		],
		["a path without its /", ["--path", "api"], 'check: --path starts with / (got "api"); did you mean --path /api?'],
		[
			"a URL given to --host",
			["--host", "https://api.example.com/"],
			'check: --host takes the host name alone, not a URL (got "https://api.example.com/"); give the URL\'s host and path apart: --host api.example.com --path /',
		],
		[
			"a port with --host",
			["--host", "api.example.com:8443"],
			'check: --host takes a host name without a port (got "api.example.com:8443"): routes match a host whatever its port; use --host api.example.com',
		],
		[
			"a --host that is no host name",
			["--host", "*.example.com"],
			"check: --host \"*.example.com\" is not a host name: a route key's host is one exact name; wildcards are not supported; give the request URL's host name, e.g. --host api.example.com",
		],
	])("usage (exit 2): %s", async (_rule, args, message) => {
		const run = await routed(["https://app.example.com", ...args]);
		expect(run.stderr).toBe(`cors-gateway: ${message}\n`);
		expect(run.code).toBe(2);
	});
});

describe("check --local: the document in local KV", () => {
	let kv: string;
	withTempDirs(async (make) => {
		kv = await make();
	});

	it("nothing stored: every cross-origin request is refused", async () => {
		const run = await cli(["check", "https://app.example.com", "--local", "--persist-to", kv]);
		expect(run.stdout).toContain("refused: no valid allowlist is loaded, so every cross-origin request is refused");
		expect(run.stdout).toContain('store one with "cors-gateway push FILE" or "cors-gateway add ORIGIN"');
		expect(run.code).toBe(1);
	});

	it("a stored document decides", async () => {
		await seed(kv, JSON.stringify(DOC));
		const approved = await cli(["check", "https://app.example.com", "--persist-to", kv]);
		expect(approved.stdout).toContain('approved by the entry "https://app.example.com"');
		expect(approved.stdout).toContain(`(decided with the allowlist in local KV (${kv}))`);
		expect(approved.code).toBe(0);
	});

	it("an invalid stored document: its problems, and the gateway refuses", async () => {
		await seed(kv, '{"origins": ["https://app.example.com/"]}');
		const run = await cli(["check", "https://app.example.com", "--persist-to", kv]);
		expect(run.stderr).toContain('error: origins[0]: "https://app.example.com/": the entry has a path');
		expect(run.stderr).toContain("a freshly started one refuses every cross-origin request");
		expect(run.stdout).toMatch(/^refused: /);
		expect(run.code).toBe(1);
	});
});
