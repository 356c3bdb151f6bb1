// History and rollback through the real command against real local KV directories: every
// write keeps the document it replaced (who, when, what), bounded; rollback restores one
// through the same write path, sharded versions included.
// (Tests in a describe run one after another, sharing its directory.)
import { beforeAll, describe, expect, it } from "vitest";
import { writeOptions } from "../../src/cli/args.ts";
import { HISTORY_KEEP } from "../../src/cli/history.ts";
import { runWrangler } from "../../tools/wrangler.ts";
import { cli, seed, withTempDirs, writeDocument } from "../support/cli.ts";

const ADA = "Ada Lovelace <ada@example.com>";
/** A setup of three writes, each a few wrangler runs. */
const SETUP_MS = 180_000;
/** Git's user, set for the command alone (command-line config outranks every file). */
const gitUser = (name: string, email: string) => ({
	GIT_CONFIG_COUNT: "2",
	GIT_CONFIG_KEY_0: "user.name",
	GIT_CONFIG_VALUE_0: name,
	GIT_CONFIG_KEY_1: "user.email",
	GIT_CONFIG_VALUE_1: email,
});
const AS_ADA = gitUser("Ada Lovelace", "ada@example.com");

interface Listed {
	name: string;
	metadata: { at: string; by: string; summary: string; origins?: number; version?: string; invalid?: true };
}

function kvArgs(kv: string): string[] {
	return ["--binding", "ALLOWLIST", "--local", "--persist-to", kv];
}

/** The history keys with their metadata, as KV lists them (newest first). */
async function historyKeys(kv: string): Promise<Listed[]> {
	const run = await runWrangler(["kv", "key", "list", "--prefix", "allowlist/history/", ...kvArgs(kv)]);
	return JSON.parse(run.stdout);
}

/** The text stored under `key`, exactly. */
async function storedText(kv: string, key = "allowlist"): Promise<string> {
	return (await runWrangler(["kv", "key", "get", key, ...kvArgs(kv)])).stdout;
}

const idOf = (entry: Listed) => entry.name.slice(-6);

describe("every write keeps the document it replaced", () => {
	let kv: string;
	let dir: string;
	const at = () => ["--persist-to", kv];
	withTempDirs(async (make) => {
		dir = await make();
		kv = `${dir}/kv`;
	});

	it("a first write replaces nothing, so history stays empty; rollback has nothing to restore (exit 1)", async () => {
		const first = await writeDocument(dir, "first.json", { origins: ["https://app.example.com"] });
		expect((await cli(["push", first, "--yes", ...at()], { env: AS_ADA })).code).toBe(0);
		expect(await historyKeys(kv)).toEqual([]);
		const history = await cli(["history", ...at()]);
		expect(history.stdout).toBe(
			`no history in local KV (${kv}): no write by cors-gateway has replaced a document there yet\n`,
		);
		const rollback = await cli(["rollback", "--yes", ...at()]);
		expect(rollback.stderr).toBe(
			`cors-gateway: no history in local KV (${kv}): no write by cors-gateway has replaced a document there yet; nothing written\n`,
		);
		expect(rollback.code).toBe(1);
	});

	it.each([
		[
			"push FILE",
			() => ["push", `${dir}/second.json`],
			/^push \S+second\.json: \+1 origin, -1 origin, maxAge changed$/,
		],
		["add", () => ["add", "https://x.example.com"], /^add https:\/\/x\.example\.com: \+1 origin$/],
		["remove", () => ["remove", "https://x.example.com"], /^remove https:\/\/x\.example\.com: -1 origin$/],
		[
			"add --route",
			() => ["add", "--route", "/api", "https://p.example"],
			/^add --route \/api https:\/\/p\.example: route \/api changed$/,
		],
		[
			"remove --route",
			() => ["remove", "--route", "/api", "https://p.example"],
			/^remove --route \/api https:\/\/p\.example: route \/api changed$/,
		],
		["rollback", () => ["rollback"], /^rollback to [0-9a-f]{6}: route \/api changed$/],
	])("%s: the replaced text, exactly, with who, when and what", async (_kind, args, summary) => {
		await writeDocument(dir, "second.json", { origins: ["https://b.example.com"], maxAge: 60 });
		const before = await storedText(kv);
		const count = (await historyKeys(kv)).length;
		const start = Date.now();
		const run = await cli([...args(), "--yes", ...at()], { env: AS_ADA });
		expect(run.code, run.stderr).toBe(0);
		const keys = await historyKeys(kv);
		expect(keys).toHaveLength(count + 1);
		const newest = keys[0] as Listed;
		expect(run.stdout).toContain(
			`The replaced document is kept as history entry ${idOf(newest)} (undo: cors-gateway rollback ${idOf(newest)}).\n`,
		);
		expect(await storedText(kv, newest.name)).toBe(before);
		expect(newest.metadata.summary).toMatch(summary);
		expect(newest.metadata.by).toBe(ADA);
		expect(Date.parse(newest.metadata.at)).toBeGreaterThanOrEqual(start);
		expect(Date.parse(newest.metadata.at)).toBeLessThanOrEqual(Date.now());
		expect(newest.metadata.origins).toBe(JSON.parse(before).origins.length);
	});

	it("history lists every entry newest first, one per line", async () => {
		const keys = await historyKeys(kv);
		const run = await cli(["history", ...at()]);
		expect(run.code).toBe(0);
		const lines = run.stdout.trim().split("\n");
		const newest = keys[0] as Listed;
		expect(lines[0]).toBe(
			`${idOf(newest)}  ${newest.metadata.at.replace(/\.\d+Z$/, "Z")}  ${ADA}  ${newest.metadata.summary}  (before: 1 origin)`,
		);
		expect(lines.map((l) => l.split("  ")[0])).toEqual(keys.map(idOf));
		const times = lines.map((l) => Date.parse(l.split("  ")[1] as string));
		expect(times).toEqual([...times].sort((a, b) => b - a));
		expect(lines.map((l) => l.split("  ")[3])).toEqual([
			expect.stringMatching(/^rollback to /),
			expect.stringMatching(/^remove --route /),
			expect.stringMatching(/^add --route /),
			expect.stringMatching(/^remove /),
			expect.stringMatching(/^add /),
			expect.stringMatching(/^push /),
		]);
	});

	it("--keep-history N: after the write, only the N newest entries stay; older ones are deleted", async () => {
		const before = await historyKeys(kv);
		expect(before).toHaveLength(6);
		const run = await cli(["add", "https://y.example.com", "--keep-history", "2", "--yes", ...at()], { env: AS_ADA });
		expect(run.code, run.stderr).toBe(0);
		const after = await historyKeys(kv);
		expect(after.map((k) => k.name)).toEqual([(after[0] as Listed).name, (before[0] as Listed).name]);
		expect(after[0]?.metadata.summary).toBe("add https://y.example.com: +1 origin");
	});

	it.each([
		["git's user.name and user.email", AS_ADA, ADA],
		["no git user: $USER", { ...gitUser("", ""), USER: "ci-bot" }, "ci-bot"],
		["no git user, no $USER", { ...gitUser("", ""), USER: undefined }, "unknown"],
	])("who: %s", async (_case, env, who) => {
		const run = await cli(["add", `https://${who.length}.who.example`, "--yes", ...at()], { env });
		expect(run.code, run.stderr).toBe(0);
		expect((await historyKeys(kv))[0]?.metadata.by).toBe(who);
	});
});

describe("the bound", () => {
	it(`is ${HISTORY_KEEP} entries unless --keep-history says otherwise`, () => {
		expect(HISTORY_KEEP).toBe(50);
		expect(writeOptions({}, "add").keepHistory).toBe(HISTORY_KEEP);
		expect(writeOptions({ "keep-history": "3" }, "add").keepHistory).toBe(3);
		expect(() => writeOptions({ "keep-history": "0" }, "add")).toThrow(
			'add: --keep-history needs a whole number of entries (at least 1), got "0"',
		);
	});
});

describe("rollback", () => {
	let kv: string;
	let dir: string;
	const at = () => ["--persist-to", kv];
	/** Entries made by the setup: [kept before "add c", kept before "add b"]. */
	let entries: Listed[];
	withTempDirs(async (make) => {
		dir = await make();
		kv = `${dir}/kv`;
	});
	beforeAll(async () => {
		const a = await writeDocument(dir, "a.json", { origins: ["https://a.example"] });
		for (const args of [
			["push", a],
			["add", "https://b.example"],
			["add", "https://c.example"],
		]) {
			const run = await cli([...args, "--yes", ...at()]);
			if (run.code !== 0) throw new Error(run.stderr);
		}
		entries = await historyKeys(kv);
	}, SETUP_MS);

	it("without --yes and without a terminal: refused (exit 2), nothing written, nothing recorded", async () => {
		const before = await storedText(kv);
		const run = await cli(["rollback", ...at()]);
		expect(run.stdout).toContain("  - origin https://c.example\n");
		expect(run.stderr).toBe(
			`cors-gateway: nothing written: no terminal to confirm on; re-run with --yes to write to local KV (${kv})\n`,
		);
		expect(run.code).toBe(2);
		expect(await storedText(kv)).toBe(before);
		expect(await historyKeys(kv)).toEqual(entries);
	});

	it("an unknown id: refused (exit 1) with the ids there are, nothing written", async () => {
		const before = await storedText(kv);
		const run = await cli(["rollback", "0000ff", "--yes", ...at()]);
		expect(run.stderr).toBe(
			`cors-gateway: no history entry "0000ff" in local KV (${kv}); nothing written. The entries are ${entries.map(idOf).join(", ")}, newest first ("cors-gateway history" lists them)\n`,
		);
		expect(run.code).toBe(1);
		expect(await storedText(kv)).toBe(before);
		expect(await historyKeys(kv)).toEqual(entries);
	});

	it("by default, the newest entry: the last change undone, shown as a diff, itself kept in history", async () => {
		const before = await storedText(kv);
		const newest = entries[0] as Listed;
		const run = await cli(["rollback", "--yes", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stdout).toContain("  - origin https://c.example\n");
		expect(await storedText(kv)).toBe(await storedText(kv, newest.name));
		expect((await cli(["list", ...at()])).stdout).toBe("https://a.example\nhttps://b.example\n");
		// The rollback is a write: the document it replaced can be restored in turn.
		const recorded = (await historyKeys(kv))[0] as Listed;
		expect(recorded.metadata.summary).toBe(`rollback to ${idOf(newest)}: -1 origin`);
		expect(await storedText(kv, recorded.name)).toBe(before);
	});

	it("by id: an older entry's document", async () => {
		const oldest = entries[1] as Listed;
		const run = await cli(["rollback", idOf(oldest), "--yes", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(await storedText(kv)).toBe(await storedText(kv, oldest.name));
		expect((await cli(["list", ...at()])).stdout).toBe("https://a.example\n");
	});
});

describe("an invalid stored document", () => {
	const INVALID = '{ "origins": ["https://a.example/"] }';
	let kv: string;
	let dir: string;
	withTempDirs(async (make) => {
		dir = await make();
		kv = `${dir}/kv`;
		await seed(kv, INVALID);
	});

	it("replaced: its raw text is kept, marked invalid", async () => {
		const file = await writeDocument(dir, "fixed.json", { origins: ["https://a.example"] });
		const run = await cli(["push", file, "--yes", "--persist-to", kv]);
		expect(run.code, run.stderr).toBe(0);
		const [entry] = await historyKeys(kv);
		expect(await storedText(kv, entry?.name)).toBe(INVALID);
		expect(entry?.metadata).toMatchObject({
			invalid: true,
			summary: expect.stringMatching(/replaced an invalid document$/),
		});
		expect((await cli(["history", "--persist-to", kv])).stdout).toMatch(/ {2}\(before: an invalid document\)\n$/);
	});

	it("rollback to it is refused (exit 1), nothing written", async () => {
		const before = await storedText(kv);
		const [entry] = await historyKeys(kv);
		const run = await cli(["rollback", "--yes", "--persist-to", kv]);
		expect(run.stderr).toBe(
			`cors-gateway: history entry ${idOf(entry as Listed)} is a document that was invalid when it was replaced, and only a valid one is restored; nothing written (its text is kept under the KV key "${entry?.name}")\n`,
		);
		expect(run.code).toBe(1);
		expect(await storedText(kv)).toBe(before);
	});
});

describe("sharded versions", () => {
	let kv: string;
	let dir: string;
	const at = () => ["--persist-to", kv, "--shard-above", "2"];
	const docs = [1, 2, 3].map((n) => ({
		origins: Array.from({ length: 4 }, (_, i) => `https://tenant-${n}-${i}.example`),
	}));
	const versions: string[] = [];

	async function versionKeys(): Promise<string[]> {
		const run = await runWrangler(["kv", "key", "list", "--prefix", "allowlist/", ...kvArgs(kv)]);
		return (JSON.parse(run.stdout) as { name: string }[])
			.map((k) => k.name)
			.filter((k) => !k.startsWith("allowlist/history/"));
	}
	const storedVersion = async () =>
		(JSON.parse(await storedText(kv)) as { shards?: { version: string } }).shards?.version;

	withTempDirs(async (make) => {
		dir = await make();
		kv = `${dir}/kv`;
	});
	beforeAll(async () => {
		// Three versions; with one entry kept, history names only the second.
		for (const [i, doc] of docs.entries()) {
			const run = await cli([
				"push",
				await writeDocument(dir, `${i}.json`, doc),
				"--yes",
				"--keep-history",
				"1",
				...at(),
			]);
			if (run.code !== 0) throw new Error(run.stderr);
			versions.push((await storedVersion()) as string);
		}
	}, SETUP_MS);

	it("an entry of a sharded document names its version, and history says so", async () => {
		const [entry] = await historyKeys(kv);
		expect(entry?.metadata).toMatchObject({ origins: 4, version: versions[1] });
		expect((await cli(["history", "--persist-to", kv])).stdout).toContain(
			`(before: 4 origins, sharded as version ${versions[1]})\n`,
		);
	});

	it("prune --force removes the versions nothing names, and keeps the one history names", async () => {
		const run = await cli(["prune", "--force", "--persist-to", kv]);
		expect(run.code, run.stderr).toBe(0);
		const [entry] = await historyKeys(kv);
		expect(run.stderr).toContain(`removed old version ${versions[0]}`);
		expect(run.stderr).toContain(`kept old version ${versions[1]}: history entry ${idOf(entry as Listed)} names it`);
		const keys = await versionKeys();
		expect(keys.some((k) => k.startsWith(`allowlist/${versions[0]}/`))).toBe(false);
		expect(keys).toContain(`allowlist/${versions[1]}/shard/0`);
	});

	it("rollback after prune: the document names that version's shards again, nothing uploaded", async () => {
		const run = await cli(["rollback", "--yes", ...at()]);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).not.toContain("publishing");
		expect(run.stdout).toContain(`as 1 shard of version ${versions[1]}`);
		expect(await storedVersion()).toBe(versions[1]);
		expect((await cli(["list", "--persist-to", kv])).stdout.trim().split("\n").sort()).toEqual(docs[1]?.origins);
	});

	it("rollback to a version whose shards are gone: refused (exit 1), nothing written", async () => {
		// The rollback's own entry names the third version; its shard deleted by hand.
		const [entry] = await historyKeys(kv);
		expect(entry?.metadata.version).toBe(versions[2]);
		await runWrangler(["kv", "key", "delete", `allowlist/${versions[2]}/shard/0`, ...kvArgs(kv)]);
		const before = await storedText(kv);
		const run = await cli(["rollback", "--yes", ...at()]);
		expect(run.stderr).toBe(
			`reading 1 shard of version ${versions[2]}…\ncors-gateway: the shards of version ${versions[2]} that history entry ${idOf(entry as Listed)} names are gone; nothing written\n`,
		);
		expect(run.code).toBe(1);
		expect(await storedText(kv)).toBe(before);
	});
});
