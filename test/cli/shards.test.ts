// Large allowlists through the real command against a real local KV directory: pushed as
// versioned shards, read back as one document by every command, old versions pruned.
import { describe, expect, it } from "vitest";
import { runWrangler } from "../../tools/wrangler.ts";
import { cli, withTempDirs, writeDocument } from "../support/cli.ts";

// With the wildcard, one entry past the default threshold (SHARD_ABOVE, 10,000).
const TENANTS = 10_000;
const tenant = (i: number) => `https://tenant-${i}.platform.example`;
const DOCUMENT = {
	// Patterns stay in the document, as "null" does: a shard holds what one hash finds.
	origins: [
		...Array.from({ length: TENANTS }, (_, i) => tenant(i)),
		"https://*.customers.example",
		"http://localhost:*",
		"https://pr-*.preview.example",
		"null",
	],
	methods: ["GET", "HEAD", "POST", "PUT"],
	headers: ["x-custom"],
};

let dir: string;
let kv: string;
let file: string;
const at = () => ["--persist-to", kv];

/** The stored keys, history entries aside (test/cli/history.test.ts). */
async function storedKeys(): Promise<string[]> {
	const run = await runWrangler(["kv", "key", "list", "--binding", "ALLOWLIST", "--local", ...at()]);
	return (JSON.parse(run.stdout) as { name: string }[])
		.map((k) => k.name)
		.filter((k) => !k.startsWith("allowlist/history/"));
}

async function storedDocument(): Promise<{ origins: string[]; shards?: { version: string; count: number } }> {
	const run = await runWrangler(["kv", "key", "get", "allowlist", "--binding", "ALLOWLIST", "--local", ...at()]);
	return JSON.parse(run.stdout);
}

withTempDirs(async (make) => {
	dir = await make();
	kv = `${dir}/kv`;
	file = await writeDocument(dir, "large.json", DOCUMENT);
});

describe("push past the threshold (10,000 entries)", () => {
	it("writes the shards and filter of a new version, then the document naming them", async () => {
		const run = await cli(["push", file, "--yes", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).toContain("publishing 10,001 entries as 16 shards of version");
		expect(run.stderr).toMatch(/uploaded 17\/17 keys/);
		// The confirmation lists a bounded number of changes, not ten thousand lines.
		expect(run.stdout).toMatch(/\n {2}… and 9,[0-9]{3} more \(all of them: cors-gateway diff FILE\)\n/);
		expect(run.stdout.split("\n").filter((l) => l.startsWith("  + origin"))).toHaveLength(200);
		const stored = await storedDocument();
		expect(stored.origins).toEqual(["http://localhost:*", "https://pr-*.preview.example", "null"]);
		const version = stored.shards?.version as string;
		expect(stored.shards?.count).toBe(16);
		expect((await storedKeys()).sort()).toEqual(
			[
				"allowlist",
				`allowlist/${version}/filter`,
				...Array.from({ length: 16 }, (_, i) => `allowlist/${version}/shard/${i}`),
			].sort(),
		);
	});
});

describe("every command reads a sharded allowlist as one document", () => {
	it("list prints every origin, inline and sharded", async () => {
		const run = await cli(["list", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(new Set(run.stdout.trim().split("\n"))).toEqual(new Set(DOCUMENT.origins));
	});

	it("pull prints the whole document, ready to edit and push back", async () => {
		const run = await cli(["pull", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		const pulled = JSON.parse(run.stdout);
		expect(pulled.shards).toBeUndefined();
		expect(new Set(pulled.origins)).toEqual(new Set(DOCUMENT.origins));
		expect(pulled.methods).toEqual(DOCUMENT.methods);
		expect(run.stderr).toMatch(/read back from 16 shards of version /);
	});

	it("diff against the file it was pushed from: no changes", async () => {
		const run = await cli(["diff", file, ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toContain("no changes");
	});

	it.each([
		["a sharded origin", tenant(4321), 0, `approved by the entry "${tenant(4321)}"`],
		["a sharded wildcard", "https://a.customers.example", 0, 'approved by the entry "https://*.customers.example"'],
		["an unlisted origin", "https://tenant-x.platform.example", 1, "the origin is not in the allowlist"],
	])("check: %s", async (_what, origin, code, says) => {
		const run = await cli(["check", origin, "--method", "PUT", ...at()]);
		expect(run.code, run.stderr).toBe(code);
		expect(run.stdout).toContain(says);
	});
});

describe("a route's edit of a sharded allowlist keeps its shards", () => {
	it("add --route writes the document only: same version, the route's origins inline", async () => {
		const before = (await storedDocument()).shards?.version as string;
		const run = await cli(["add", "--route", "/partner", "https://partner.example", "--yes", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toContain('  + route /partner {"origins":["https://partner.example"]}\n');
		expect(run.stdout).toContain(`as 16 shards of version ${before} (the shards as they were)`);
		expect(run.stderr).not.toContain("publishing");
		const stored = (await storedDocument()) as { shards?: { version: string }; routes?: unknown };
		expect(stored.shards?.version).toBe(before);
		expect(stored.routes).toEqual({ "/partner": { origins: ["https://partner.example"] } });
		const listed = await cli(["list", "--route", "/partner", ...at()]);
		expect(listed.stdout).toBe("https://partner.example\n");
		const top = await cli(["check", tenant(4321), "--path", "/partner", ...at()]);
		expect(top.stdout).toContain("  - allowed on the top level, not on /partner\n");
	});
});

describe("changes publish a new version; old ones go once no gateway can read them", () => {
	it("add writes a new version and keeps the replaced one, which its history entry names", async () => {
		const before = (await storedDocument()).shards?.version as string;
		const run = await cli(["add", "https://new.example.com", "--yes", "--shard-above", "1000", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		const after = (await storedDocument()).shards?.version as string;
		expect(after).not.toBe(before);
		expect(run.stderr).toMatch(new RegExp(`kept old version ${before}: history entry [0-9a-f]{6} names it`));
		const keys = await storedKeys();
		expect(keys.filter((k) => k.startsWith(`allowlist/${before}/`))).toHaveLength(17);
		expect((await cli(["check", "https://new.example.com", ...at()])).code).toBe(0);
	});

	it("prune keeps the versions history names, and says which entry restores each", async () => {
		const run = await cli(["prune", "--force", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).toMatch(
			/kept old version \S+: history entry ([0-9a-f]{6}) names it \("cors-gateway rollback \1" restores it\)/,
		);
		expect(run.stderr).not.toContain("removed");
	});

	it("a file that names shards itself is refused: shards are the command line's to write", async () => {
		const stored = await storedDocument();
		const forged = await writeDocument(dir, "forged.json", stored);
		const run = await cli(["push", forged, "--yes", ...at()]);
		expect(run.code).toBe(1);
		expect(run.stderr).toContain('names shards ("shards" is written by cors-gateway itself)');
	});

	it("a missing shard: commands refuse to work from a partial list", async () => {
		const version = (await storedDocument()).shards?.version as string;
		await runWrangler([
			"kv",
			"key",
			"delete",
			`allowlist/${version}/shard/2`,
			"--binding",
			"ALLOWLIST",
			"--local",
			...at(),
		]);
		const run = await cli(["list", ...at()]);
		expect(run.code).toBe(1);
		expect(run.stderr).toContain(`the shard "allowlist/${version}/shard/2" is missing [shard-missing]`);
		const add = await cli(["add", "https://other.example.com", "--yes", ...at()]);
		expect(add.code).toBe(1);
	});

	it("pushing a small document stores it whole; prune --force then removes every version history no longer names", async () => {
		const small = await writeDocument(dir, "small.json", { origins: ["https://app.example.com"] });
		// One entry kept: the replaced document, invalid with a shard missing, names no version.
		const run = await cli(["push", small, "--yes", "--keep-history", "1", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect((await storedDocument()).shards).toBeUndefined();
		expect(run.stderr).toMatch(/kept old version \S+: replaced less than 5 minutes ago/);
		const later = await cli(["prune", ...at()]);
		expect(later.stderr).toContain("the allowlist is stored whole, so when it stopped naming this version is unknown");
		const pruned = await cli(["prune", "--force", ...at()]);
		expect(pruned.code, pruned.stderr).toBe(0);
		expect(await storedKeys()).toEqual(["allowlist"]);
	});

	it("--shard-above N: a document of N entries is stored whole", async () => {
		const run = await cli(["push", file, "--yes", "--shard-above", String(TENANTS + 1), ...at()]);
		expect(run.code, run.stderr).toBe(0);
		const stored = await storedDocument();
		expect(stored.shards).toBeUndefined();
		expect(stored.origins).toHaveLength(DOCUMENT.origins.length);
		expect(await storedKeys()).toEqual(["allowlist"]);
	});
});
