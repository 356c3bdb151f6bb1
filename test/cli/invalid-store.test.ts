// A document stored invalid by hand (wrangler kv key put, a dashboard edit): shown, never
// built on, and replaced by push.
import { beforeAll, describe, expect, it } from "vitest";
import { cli, seed, withTempDirs, writeDocument } from "../support/cli.ts";

let kv: string;
let files: string;
const at = () => ["--persist-to", kv];
const file = (name: string, doc: unknown) => writeDocument(files, name, doc);

withTempDirs(async (make) => {
	kv = await make();
	files = await make();
});

describe("a document stored invalid by hand", () => {
	beforeAll(() => seed(kv, '{"origins": ["https://app.example.com/"], "maxAge": 600'));

	it("pull prints it as stored, with its problems", async () => {
		const run = await cli(["pull", ...at()]);
		expect(run.stdout).toBe('{"origins": ["https://app.example.com/"], "maxAge": 600');
		expect(run.stderr).toMatch(/^error: document: not valid JSON/m);
		expect(run.code).toBe(0);
	});

	it.each([
		["list", ["list"]],
		["add", ["add", "https://b.example", "--yes"]],
	])("%s refuses to build on it (exit 1)", async (_name, args) => {
		const run = await cli([...args, ...at()]);
		expect(run.stderr).toContain(`cors-gateway: the allowlist stored in local KV (${kv}) is invalid; fix it with`);
		expect(run.code).toBe(1);
	});

	it("push replaces it with a valid one", async () => {
		const run = await cli([
			"push",
			await file("fixed.json", { origins: ["https://app.example.com"] }),
			"--yes",
			...at(),
		]);
		expect(run.stdout).toContain(
			`The allowlist in local KV (${kv}) is invalid; this replaces it:\n  + origin https://app.example.com\n`,
		);
		expect(run.code).toBe(0);
		expect((await cli(["list", ...at()])).stdout).toBe("https://app.example.com\n");
	});
});

describe("a stored value that reads like wrangler's own 'Value not found'", () => {
	it("is still a stored (invalid) value, not an empty namespace", async () => {
		await seed(kv, "Value not found\n");
		const run = await cli(["pull", ...at()]);
		expect(run.stdout).toBe("Value not found\n");
		expect(run.stderr).toMatch(/^error: document: not valid JSON/m);
		expect(run.code).toBe(0);
	});
});
