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
		expect(run.stdout).toBe(
			`Changes to the allowlist in local KV (${kv}):
  + origin https://new.example.org
  + origin http://localhost:5173
Written to local KV (${kv}). A running \`npm run dev\` follows within ALLOWLIST_REFRESH_SECONDS (30 s by default).
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
