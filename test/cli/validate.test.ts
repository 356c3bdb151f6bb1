// `cors-gateway validate`: the Worker's validator, from a file or stdin, one precise line
// per problem, warnings that do not fail, and the normalized form on request.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliInTerminal, expectNoStackTrace, ROOT } from "../support/cli.ts";

const EXAMPLE = join(ROOT, "allowlist.example.json");

describe("validate: valid documents", () => {
	it("the example allowlist is valid (exit 0)", async () => {
		const run = await cli(["validate", EXAMPLE]);
		expect(run.stderr).toBe("");
		expect(run.stdout).toBe(`${EXAMPLE}: valid (5 origins)\n`);
		expect(run.code).toBe(0);
	});

	it("reads stdin for - and when FILE is absent", async () => {
		const text = await readFile(EXAMPLE, "utf8");
		for (const args of [["validate", "-"], ["validate"]]) {
			const run = await cli(args, { input: text });
			expect(run.stdout).toBe("stdin: valid (5 origins)\n");
			expect(run.code).toBe(0);
		}
	});

	it("--print shows the normalized form, and only that, on stdout", async () => {
		const run = await cli(["validate", "--print"], {
			input:
				'{"origins": ["HTTPS://App.Example.com:443", "https://*.Bücher.example", "null"], "headers": ["X-Api-Key"]}',
		});
		expect(run.code).toBe(0);
		expect(JSON.parse(run.stdout)).toEqual({
			origins: ["https://app.example.com", "https://*.xn--bcher-kva.example", "null"],
			credentials: false,
			methods: ["GET", "HEAD", "POST"],
			headers: ["x-api-key"],
			exposeHeaders: [],
			maxAge: 600,
		});
		// The warning for "null" goes to stderr, so `--print > file` stays pure JSON.
		expect(run.stderr).toContain('warning: origins[2]: "null" is the origin of sandboxed iframes');
	});
});

describe("validate: one precise message per problem (exit 1)", () => {
	it.each([
		[
			"a path, with the fix",
			{ origins: ["https://app.example.com/"] },
			'error: origins[0]: "https://app.example.com/": the entry has a path; an origin is only scheme://host[:port] (fix: use "https://app.example.com") [origin-has-path]',
		],
		[
			"a missing scheme, with the fix",
			{ origins: ["*.example.com"] },
			'error: origins[0]: "*.example.com": the entry has no scheme (fix: use "https://*.example.com") [origin-missing-scheme]',
		],
		[
			"a wildcard outside the leftmost label",
			{ origins: ["https://a.b*.example.com"] },
			'error: origins[0]: "https://a.b*.example.com": a "*" in the host must be in its leftmost label, as in "https://*.example.com" or "https://pr-*.example.com" (fix: move the "*" into the leftmost label, or list the hosts) [wildcard-position]',
		],
		[
			'"*" with credentials',
			{ origins: ["*"], credentials: true },
			'error: origins[0]: "*" cannot be used with "credentials": true',
		],
		[
			"a misspelled field",
			{ origins: [], exposedHeaders: [] },
			'error: exposedHeaders: unknown field "exposedHeaders" (fix: did you mean "exposeHeaders"?)',
		],
		[
			"a forbidden header",
			{ origins: [], headers: ["cookie"] },
			'error: headers[0]: "cookie" is a forbidden request header',
		],
		[
			"a wildcard on a public suffix (the Public Suffix List, through tldts)",
			{ origins: ["https://*.github.io"] },
			'error: origins[0]: "https://*.github.io" would admit sites of unrelated owners: "github.io" is a public suffix of the Public Suffix List (shared hosting: anyone can have a site there) (fix: list a domain you control under it, such as "https://*.example.github.io") [wildcard-public-suffix]',
		],
		[
			"maxAge out of range",
			{ origins: [], maxAge: 100000 },
			"error: maxAge: expected a whole number of seconds from 0 to 86400, got number 100000 (fix: use 86400)",
		],
	])("%s", async (_rule, doc, message) => {
		const run = await cli(["validate", "-"], { input: JSON.stringify(doc) });
		expect(run.stderr).toContain(message);
		expect(run.stderr).toMatch(/cors-gateway: stdin: not a valid allowlist \(1 problem\)\n$/);
		expect(run.stdout).toBe("");
		expect(run.code).toBe(1);
		expectNoStackTrace(run);
	});

	it("reports every problem, not just the first", async () => {
		const run = await cli(["validate"], {
			input: JSON.stringify({ origins: ["https://a.example/", "ftp://b.example", "https://ok.example"], maxAge: -1 }),
		});
		expect(run.stderr.match(/^error: /gm)).toHaveLength(3);
		expect(run.stderr).toContain("not a valid allowlist (3 problems)");
		expect(run.code).toBe(1);
	});

	it("JSON syntax errors name the problem", async () => {
		const run = await cli(["validate"], { input: '{"origins": [' });
		expect(run.stderr).toMatch(/^error: document: not valid JSON: /m);
		expect(run.code).toBe(1);
	});

	it("--print prints nothing for an invalid document", async () => {
		const run = await cli(["validate", "--print"], { input: '{"origins": ["https://a.example/"]}' });
		expect(run.stdout).toBe("");
		expect(run.code).toBe(1);
	});
});

describe("validate: routes", () => {
	it("counts them in the summary", async () => {
		const run = await cli(["validate"], {
			input: JSON.stringify({ origins: ["https://a.example"], routes: { "/f": { origins: ["*"] }, "h.example/": {} } }),
		});
		expect(run.stdout).toBe("stdin: valid (1 origin, 2 routes, 1 warning)\n");
		expect(run.stderr).toContain('warning: routes["h.example/"]: the route sets nothing');
		expect(run.code).toBe(0);
	});

	it("each problem names its route and field", async () => {
		const run = await cli(["validate"], {
			input: JSON.stringify({
				origins: ["*"],
				routes: { "/pub": { credentials: true }, "/p": { origins: ["https://a.example/"] }, fonts: {} },
			}),
		});
		expect(run.stderr).toContain(
			'error: routes["/pub"].credentials: "credentials": true with the top level\'s "*" origins',
		);
		expect(run.stderr).toContain('error: routes["/p"].origins[0]: "https://a.example/": the entry has a path');
		expect(run.stderr).toContain('error: routes["fonts"]: "fonts": a route key is a path starting with /');
		expect(run.stderr).toMatch(/not a valid allowlist \(3 problems\)\n$/);
		expect(run.code).toBe(1);
	});
});

describe("validate: warnings for risky but valid choices (exit 0)", () => {
	it.each([
		["null", { origins: ["null"] }, "null-origin"],
		["http with credentials", { origins: ["http://app.example.com"], credentials: true }, "insecure-with-credentials"],
		["a glob under shared hosting", { origins: ["https://*--myapp.netlify.app"] }, "broad-glob"],
		["an empty list", { origins: [] }, "origins-empty"],
	])("%s", async (_rule, doc, rule) => {
		const run = await cli(["validate"], { input: JSON.stringify(doc) });
		expect(run.stderr).toMatch(new RegExp(`^warning: .*\\[${rule}\\]$`, "m"));
		expect(run.stdout).toMatch(/stdin: valid \(\d+ origins?, 1 warning\)/);
		expect(run.code).toBe(0);
	});
});

describe("validate: usage and input mistakes", () => {
	it.each([
		[
			"an unknown option",
			["validate", "--prnt"],
			'cors-gateway: validate: unknown option --prnt; run "cors-gateway validate --help"\n',
			2,
		],
		[
			"two files",
			["validate", "a.json", "b.json"],
			'cors-gateway: validate: unexpected argument "b.json"; run "cors-gateway validate --help"\n',
			2,
		],
		[
			"an unknown command",
			["valdate"],
			/^cors-gateway: unknown command "valdate"; the commands are validate, check, /,
			2,
		],
		[
			"a missing file",
			["validate", "/nonexistent/allowlist.json"],
			"cors-gateway: cannot read /nonexistent/allowlist.json: no such file\n",
			1,
		],
	])("%s", async (_what, args, message, code) => {
		const run = await cli(args);
		if (typeof message === "string") expect(run.stderr).toBe(message);
		else expect(run.stderr).toMatch(message);
		expect(run.code).toBe(code);
	});

	it("no FILE on a terminal: a hint instead of waiting for input", async () => {
		const term = cliInTerminal(["validate"]);
		expect(await term.done).toBe(2);
		expect(term.output()).toContain(
			'cors-gateway: validate: give a FILE, or pipe the document in ("cors-gateway validate < allowlist.json")',
		);
	});

	it("--help lists every command and the exit codes", async () => {
		const run = await cli(["--help"]);
		for (const name of [
			"validate",
			"check",
			"list",
			"pull",
			"diff",
			"push",
			"add",
			"remove",
			"history",
			"rollback",
			"prune",
		]) {
			expect(run.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
		}
		expect(run.stdout).toContain("Exit codes: 0 done (check: approved), 1 refused or invalid, 2 usage mistake.");
		expect(run.code).toBe(0);
	});

	it("a command's --help shows its options", async () => {
		const run = await cli(["check", "--help"]);
		expect(run.stdout).toMatch(/^Usage: cors-gateway check ORIGIN /);
		expect(run.stdout).toContain("--header H");
		expect(run.code).toBe(0);
	});
});

describe("output into a pipe that closes early", () => {
	it("stops quietly when the reader has what it wants (| head): no stack trace, exit 0", async () => {
		const dir = await mkdtemp(join(tmpdir(), "cors-gateway-pipe-"));
		try {
			// Far more than a pipe buffers, so the writer is still writing when head exits.
			const origins = Array.from({ length: 20_000 }, (_, i) => `https://t${i}.example.com`);
			const file = join(dir, "big.json");
			await writeFile(file, JSON.stringify({ origins }));
			const run = spawnSync(
				"bash",
				[
					"-c",
					// biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${…}, not a template
					'node bin/cors-gateway.mjs validate --print "$1" | head -c 10 >/dev/null; echo "rc=${PIPESTATUS[0]}"',
					"-",
					file,
				],
				{
					cwd: ROOT,
					encoding: "utf8",
					env: { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` },
				},
			);
			expect(run.stdout).toBe("rc=0\n");
			expect(run.stderr).toBe("");
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
