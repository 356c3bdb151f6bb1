// add, list and remove against a real local KV directory: arguments checked against the
// validator before KV is touched, the diff shown, all-or-nothing removal.
// (Tests in a file run one after another, sharing the directory.)
import { describe, expect, it } from "vitest";
import { cli, seed, withTempDirs } from "../support/cli.ts";

let kv: string;
const at = () => ["--persist-to", kv];

withTempDirs(async (make) => {
	kv = await make();
	await seed(
		kv,
		JSON.stringify({
			$schema: "./allowlist.schema.json",
			origins: ["https://app.example.com", "https://*.example.com"],
		}),
	);
});

describe("add, list, remove", () => {
	it("add: new origins are normalized, listed ones noted and skipped", async () => {
		const run = await cli([
			"add",
			"https://New.Example.org",
			"http://localhost:5173",
			"https://APP.example.com",
			"-y",
			...at(),
		]);
		const id = /history entry ([0-9a-f]{6})/.exec(run.stdout)?.[1];
		expect(run.stdout).toBe(
			`Changes to the allowlist in local KV (${kv}):
  + origin https://new.example.org
  + origin http://localhost:5173
Written to local KV (${kv}). A running \`npm run dev\` follows within ALLOWLIST_REFRESH_SECONDS (30 s by default).
The replaced document is kept as history entry ${id} (undo: cors-gateway rollback ${id}).
`,
		);
		expect(run.stderr).toBe("note: https://app.example.com is listed already\n");
		expect(run.code).toBe(0);
	});

	it("list: the origins, one per line", async () => {
		const run = await cli(["list", ...at()]);
		expect(run.stdout).toBe(
			"https://app.example.com\nhttps://*.example.com\nhttps://new.example.org\nhttp://localhost:5173\n",
		);
		expect(run.code).toBe(0);
	});

	it("add: an invalid origin is refused with the fix, before KV is touched", async () => {
		const run = await cli([
			"add",
			"https://ok.example.net",
			"shop.example.com",
			"https://a.example/x",
			"--yes",
			...at(),
		]);
		expect(run.stderr).toBe(
			`error: argument 2: "shop.example.com": the entry has no scheme (fix: use "https://shop.example.com") [origin-missing-scheme]
error: argument 3: "https://a.example/x": the entry has a path; an origin is only scheme://host[:port] (fix: use "https://a.example") [origin-has-path]
cors-gateway: nothing added
`,
		);
		expect(run.stdout).toBe("");
		expect(run.code).toBe(1);
		// All or nothing: the valid argument was not stored either.
		expect((await cli(["list", ...at()])).stdout).not.toContain("ok.example.net");
	});

	it("remove: a listed origin, in any spelling of it", async () => {
		const run = await cli(["remove", "https://NEW.example.org:443", "--yes", ...at()]);
		expect(run.stdout).toContain("  - origin https://new.example.org\n");
		expect(run.code).toBe(0);
		expect((await cli(["list", ...at()])).stdout).not.toContain("new.example.org");
	});

	it("remove: an origin that is not listed fails the whole command (a typo is no revocation)", async () => {
		const run = await cli(["remove", "http://localhost:5173", "https://app.exmaple.com", "--yes", ...at()]);
		expect(run.stderr).toBe(
			'cors-gateway: not in the allowlist: https://app.exmaple.com; nothing removed (run "cors-gateway list" to see the entries)\n',
		);
		expect(run.stdout).toBe("");
		expect(run.code).toBe(1);
		expect((await cli(["list", ...at()])).stdout).toContain("http://localhost:5173\n");
	});
});

describe("a stored document with a warning", () => {
	let store: string;
	withTempDirs(async (make) => {
		store = await make();
		await seed(store, JSON.stringify({ origins: ["null", "https://app.example.com"] }));
	});

	it.each([
		["add", ["add", "https://b.example"]],
		["remove", ["remove", "https://app.example.com"]],
	])("%s shows it once, for the document it writes", async (_name, args) => {
		const run = await cli([...args, "--yes", "--persist-to", store]);
		expect(run.code).toBe(0);
		expect(run.stderr.match(/\[null-origin\]/g)).toHaveLength(1);
	});

	it("list shows it", async () => {
		const run = await cli(["list", "--persist-to", store]);
		expect(run.stderr.match(/\[null-origin\]/g)).toHaveLength(1);
		expect(run.stdout).toBe("null\nhttps://b.example\n");
	});
});

describe("add, list, remove --route KEY: a route's own origins", () => {
	let store: string;
	const here = () => ["--persist-to", store];
	withTempDirs(async (make) => {
		store = await make();
		await seed(
			store,
			JSON.stringify({
				origins: ["https://app.example.com", "https://b.example"],
				routes: {
					"/api": { origins: ["https://partner.example"], credentials: true },
					"/admin": { methods: ["DELETE"] },
				},
			}),
		);
	});

	it("add to a route that uses the top level's origins: refused without --stop-inheriting (exit 2), nothing written", async () => {
		const run = await cli(["add", "--route", "/admin", "https://x.example", "-y", ...here()]);
		expect(run.stderr).toContain(
			"cors-gateway: route /admin uses the top level's 2 origins; a list of its own replaces them, never adds to them",
		);
		expect(run.code).toBe(2);
		const listed = await cli(["list", "--route", "/admin", ...here()]);
		expect(listed.stdout).toBe("https://app.example.com\nhttps://b.example\n");
		expect(listed.stderr).toBe("(route /admin uses the top level's origins)\n");
	});

	it("with --stop-inheriting: the route's own list, said so", async () => {
		const run = await cli(["add", "--route", "/admin/", "https://x.example", "--stop-inheriting", "-y", ...here()]);
		expect(run.stdout).toContain('  ~ routes["/admin"].origins: (inherited) -> ["https://x.example"]\n');
		expect(run.stderr).toContain("it no longer admits the top level's 2 origins, only these");
		expect(run.code).toBe(0);
	});

	it('an edit that leaves a route invalid is refused with the problem\'s path: "*" where credentials are on', async () => {
		const run = await cli(["add", "--route", "/api", "*", "-y", ...here()]);
		expect(run.stderr).toMatch(
			/^error: routes\["\/api"\]\.origins\[1\]: "\*" cannot be used with "credentials": true/m,
		);
		expect(run.stderr).toMatch(/cors-gateway: nothing added\n$/);
		expect(run.code).toBe(1);
	});

	it("add to a route that does not exist creates it, with a note", async () => {
		const run = await cli(["add", "--route", "/fonts", "*", "-y", ...here()]);
		expect(run.stdout).toContain('  + route /fonts {"origins":["*"]}\n');
		expect(run.stderr).toContain("note: route /fonts is new: requests to it are decided by it from now on");
		expect(run.code).toBe(0);
	});

	it("an invalid KEY: a usage error with the core's message and fix (exit 2)", async () => {
		const run = await cli(["add", "--route", "fonts", "*", "-y", ...here()]);
		expect(run.stderr).toBe(
			'cors-gateway: add: --route: "fonts": a route key is a path starting with /, optionally preceded by a host (fix: use "/fonts" for a path, or "fonts/" for every path of host fonts) [route-key-no-path]\n',
		);
		expect(run.code).toBe(2);
	});

	it("remove the last of a route's origins: an empty list, warned about", async () => {
		const run = await cli(["remove", "--route", "/api", "https://partner.example", "-y", ...here()]);
		expect(run.stdout).toContain('  - routes["/api"] origin https://partner.example\n');
		expect(run.stderr).toContain('warning: routes["/api"].origins: the list is empty');
		expect(run.code).toBe(0);
	});

	it("remove an origin the route does not list: refused, nothing removed", async () => {
		const run = await cli(["remove", "--route", "/admin", "https://x.example", "https://app.example.com", ...here()]);
		expect(run.stderr).toContain(
			"cors-gateway: not in the origins of route /admin: https://app.example.com; nothing removed",
		);
		expect(run.code).toBe(1);
	});

	it("list groups the origins by route, in key order", async () => {
		const run = await cli(["list", ...here()]);
		expect(run.stdout).toBe(`top level (every path no route matches):
  https://app.example.com
  https://b.example
route /admin:
  https://x.example
route /api: no origins (every cross-origin request refused)
route /fonts:
  *
`);
		expect(run.code).toBe(0);
	});

	it("list --route KEY of no route: refused with the routes there are", async () => {
		const run = await cli(["list", "--route", "/nope", ...here()]);
		expect(run.stderr).toContain(
			"cors-gateway: no route /nope in the allowlist (its routes are /admin, /api, /fonts)\n",
		);
		expect(run.code).toBe(1);
	});
});
