// pull, push and diff against a real local KV directory, from an empty namespace on: every
// write is validated first and shown as a diff, and an invalid document is never stored.
// (Tests in a file run one after another, sharing the directory.)
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, withTempDirs, writeDocument } from "../support/cli.ts";

let kv: string;
let files: string;
const at = () => ["--persist-to", kv];
const file = (name: string, doc: unknown) => writeDocument(files, name, doc);

async function stored(): Promise<string> {
	const run = await cli(["pull", ...at()]);
	expect(run.code).toBe(0);
	return run.stdout;
}

withTempDirs(async (make) => {
	kv = await make();
	files = await make();
});

describe("an empty namespace", () => {
	it.each([
		["list", ["list"]],
		["pull", ["pull"]],
	])("%s: nothing stored (exit 1)", async (_name, args) => {
		const run = await cli([...args, ...at()]);
		expect(run.stderr).toBe(
			`cors-gateway: no allowlist is stored in local KV (${kv}) (key "allowlist"); create one with "cors-gateway push FILE" or "cors-gateway add ORIGIN"\n`,
		);
		expect(run.code).toBe(1);
	});

	it("diff FILE: what pushing would create", async () => {
		const run = await cli([
			"diff",
			await file("first.json", { origins: ["https://app.example.com"], maxAge: 60 }),
			...at(),
		]);
		expect(run.stdout).toBe(
			`Nothing is stored in local KV (${kv}); pushing would create the allowlist:\n  + origin https://app.example.com\n  ~ maxAge: 600 -> 60\n`,
		);
		expect(run.code).toBe(0);
	});
});

describe("push", () => {
	it("without --yes and without a terminal: refused with the hint (exit 2), nothing written", async () => {
		const run = await cli([
			"push",
			await file("first.json", { origins: ["https://app.example.com"], maxAge: 60 }),
			...at(),
		]);
		expect(run.stdout).toContain("  + origin https://app.example.com\n");
		expect(run.stderr).toBe(
			`cors-gateway: nothing written: no terminal to confirm on; re-run with --yes to write to local KV (${kv})\n`,
		);
		expect(run.code).toBe(2);
		expect((await cli(["pull", ...at()])).code).toBe(1); // nothing stored
	});

	it("--yes: validates, shows the diff, stores the normalized document", async () => {
		const path = await file("push.json", {
			$schema: "./allowlist.schema.json",
			origins: ["HTTPS://App.Example.com:443", "https://*.example.com"],
			headers: ["Authorization"],
		});
		const run = await cli(["push", path, "--yes", ...at()]);
		expect(run.stdout).toBe(
			`Nothing is stored in local KV (${kv}) yet; this creates the allowlist:
  + origin https://app.example.com
  + origin https://*.example.com
  + header authorization
  ~ $schema: (none) -> "./allowlist.schema.json"
Written to local KV (${kv}). A running \`npm run dev\` follows within ALLOWLIST_REFRESH_SECONDS (30 s by default).
`,
		);
		expect(run.code).toBe(0);
		expect(JSON.parse(await stored())).toEqual({
			$schema: "./allowlist.schema.json",
			origins: ["https://app.example.com", "https://*.example.com"],
			credentials: false,
			methods: ["GET", "HEAD", "POST"],
			headers: ["authorization"],
			exposeHeaders: [],
			maxAge: 600,
		});
	});

	it("the same document again: no change, nothing written", async () => {
		const run = await cli(["push", join(files, "push.json"), "--yes", ...at()]);
		expect(run.stdout).toContain("  none: the stored allowlist already says this; nothing written.\n");
		expect(run.code).toBe(0);
	});

	it("an invalid document: every problem, exit 1, the stored one untouched", async () => {
		const before = await stored();
		const path = await file("bad.json", { origins: ["https://app.example.com/", "*"], credentials: true });
		const run = await cli(["push", path, "--yes", ...at()]);
		expect(run.stderr).toContain('error: origins[0]: "https://app.example.com/": the entry has a path');
		expect(run.stderr).toContain('error: origins[1]: "*" cannot be used with "credentials": true');
		expect(run.stderr).toContain(`cors-gateway: ${path} is not a valid allowlist document; nothing written\n`);
		expect(run.code).toBe(1);
		expect(await stored()).toBe(before);
	});
});

describe("diff", () => {
	it("origins and settings added, removed and changed", async () => {
		const path = await file("next.json", {
			origins: ["https://app.example.com", "https://admin.example.net"],
			credentials: true,
			methods: ["GET", "HEAD", "POST", "PUT"],
			headers: ["authorization", "x-api-key"],
		});
		const run = await cli(["diff", path, ...at()]);
		expect(run.stdout).toBe(
			`From the allowlist in local KV (${kv}) to ${path}:
  + origin https://admin.example.net
  - origin https://*.example.com
  + method PUT
  + header x-api-key
  ~ credentials: false -> true
  ~ $schema: "./allowlist.schema.json" -> (none)
`,
		);
		expect(run.code).toBe(0);
	});

	it("an invalid FILE: its problems (exit 1)", async () => {
		const run = await cli(["diff", await file("typo.json", { origin: [] }), ...at()]);
		expect(run.stderr).toContain('error: origin: unknown field "origin" (fix: did you mean "origins"?)');
		expect(run.code).toBe(1);
	});
});

// Last: it replaces the stored document the cases above compare with.
describe("diff with routes", () => {
	it("routes added, removed and changed, their unset fields inherited", async () => {
		const before = await file("routes-before.json", {
			origins: ["https://app.example.com"],
			routes: { "/fonts": { origins: ["*"] }, "/partner": { origins: ["https://partner.example"] } },
		});
		const after = await file("routes-after.json", {
			origins: ["https://app.example.com"],
			routes: {
				"/fonts": { origins: ["*"], maxAge: 86400 },
				"/admin": { origins: ["https://admin.example.net"], credentials: true },
			},
		});
		await cli(["push", before, "--yes", ...at()]);
		const run = await cli(["diff", after, ...at()]);
		expect(run.stdout).toBe(
			`From the allowlist in local KV (${kv}) to ${after}:
  ~ routes["/fonts"].maxAge: (inherited) -> 86400
  + route /admin {"origins":["https://admin.example.net"],"credentials":true}
  - route /partner
`,
		);
		expect(run.code).toBe(0);
	});

	it("a route's origins, from inherited to its own and back", async () => {
		const own = await file("routes-own.json", {
			origins: ["https://app.example.com"],
			routes: { "/fonts": { origins: ["*"] }, "/partner": {} },
		});
		const run = await cli(["diff", own, ...at()]);
		expect(run.stdout).toBe(
			`From the allowlist in local KV (${kv}) to ${own}:
  ~ routes["/partner"].origins: ["https://partner.example"] -> (inherited)
`,
		);
		expect(run.code).toBe(0);
	});
});
