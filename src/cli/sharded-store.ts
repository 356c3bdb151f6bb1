// Large allowlists in KV (docs/LARGE-ALLOWLISTS.md), as the command line sees them: read
// back as one document, published as versioned shards with the document switched last,
// and old versions removed once no isolate can still be reading them.
import { randomBytes } from "node:crypto";
import {
	type AllowlistDocument,
	type Compiled,
	isShardable,
	type Problem,
	type ShardManifest,
} from "../policy/index.ts";
import { ALLOWLIST_KEY, HISTORY_PREFIX, shardKeys, versionPrefix } from "../shards/layout.ts";
import { planShards, shardWrites } from "../shards/plan.ts";
import { decodeShard, shardFault } from "../shards/shard-text.ts";
import { historyFrom } from "./history.ts";
import { bulkDelete, bulkGet, bulkPut, type KvTarget, listEntries, writeAllowlist } from "./kv.ts";
import { note, plural, serialize } from "./output.ts";
import { compileChecked } from "./public-suffix.ts";

/**
 * Past this many exact and wildcard entries, a document is published as shards: an inline
 * document's first request after a cold start grows with its size (about 40 ms at 10,000
 * entries on the bench machine, against the 50 ms target), a sharded one's much less
 * (docs/PERFORMANCE.md, cold start).
 */
export const SHARD_ABOVE = 10_000;
/** How long after its replacement a version's keys are kept: 3× the worst propagation delay. */
export const PRUNE_AFTER_MS = 5 * 60 * 1000;

/** The stored document with its shards' origins read back in: what every command works on. */
export async function expandShards(target: KvTarget, document: AllowlistDocument): Promise<Compiled> {
	const manifest = document.shards as ShardManifest;
	const keys = shardKeys(manifest);
	note(`reading ${plural(keys.length, "shard")} of version ${manifest.version}…`);
	const texts = await bulkGet(target, keys);
	const problems: Problem[] = [];
	const origins = [...document.origins];
	keys.forEach((key, index) => {
		const text = texts.get(key);
		if (text === null || text === undefined) {
			problems.push({ path: "shards", rule: "shard-missing", message: `the shard "${key}" is missing` });
			return;
		}
		const entries = decodeShard(text);
		const fault = shardFault(entries, index, manifest);
		if (fault !== undefined)
			problems.push({ path: "shards", rule: "shard-invalid", message: `the shard "${key}": ${fault}` });
		else origins.push(...entries);
	});
	if (problems.length > 0) return { ok: false, problems, warnings: [] };
	const { shards: _, ...settings } = document;
	return compileChecked({ ...settings, origins });
}

/**
 * Writes `next` to KV: as one document, or past `shardAbove` entries as new shards and a
 * document naming them. `beforeSwitch` runs right before the one write that changes what
 * the gateway serves (the document), and may refuse. `reuse`: a manifest whose shards hold
 * exactly `next`'s sharded entries (the stored version's after a change of routes or settings
 * only, a history entry's on rollback): the document names them again, with nothing uploaded.
 */
export async function publish(
	target: KvTarget,
	next: AllowlistDocument,
	options: { shardAbove: number; beforeSwitch: () => Promise<void>; reuse?: ShardManifest },
): Promise<ShardManifest | undefined> {
	// One pass: each entry is classified once, a million of them included.
	const inline: string[] = [];
	const sharded: string[] = [];
	for (const o of next.origins) (isShardable(o) ? sharded : inline).push(o);
	if (sharded.length <= options.shardAbove) {
		await options.beforeSwitch();
		await writeAllowlist(target, serialize(next));
		return undefined;
	}
	if (options.reuse !== undefined) {
		await options.beforeSwitch();
		await writeAllowlist(target, serialize({ ...next, origins: inline, shards: options.reuse }));
		return options.reuse;
	}
	const plan = planShards(sharded, newVersion(new Date()), randomBytes(4).readUInt32LE(0));
	const writes = shardWrites(plan);
	const total = writes.reduce((n, w) => n + w.value.length, 0);
	note(
		`publishing ${sharded.length.toLocaleString("en")} entries as ${plural(plan.manifest.count, "shard")} of version ${plan.manifest.version}…`,
	);
	await bulkPut(target, writes, (done, bytes) =>
		note(`  uploaded ${done}/${writes.length} keys, ${megabytes(bytes)} of ${megabytes(total)}`),
	);
	await options.beforeSwitch();
	const manifest = { ...plan.manifest, published: new Date().toISOString() };
	await writeAllowlist(target, serialize({ ...next, origins: inline, shards: manifest }));
	return manifest;
}

/** A version name that sorts by, and tells, when its upload began: 20261126T013000Z-3f9a2c1e. */
function newVersion(now: Date): string {
	const stamp = now
		.toISOString()
		.replace(/[-:]/g, "")
		.replace(/\.\d+Z$/, "Z");
	return `${stamp}-${randomBytes(4).toString("hex")}`;
}

export interface PrunePlan {
	/** Keys to delete, of versions replaced long enough ago. */
	keys: string[];
	deleted: string[];
	/** Versions kept, each with why. */
	kept: { version: string; why: string }[];
}

/** What is known of the allowlist's switches, newest first. */
export interface Switches {
	/** The version the allowlist names now, if it is sharded. */
	current?: string;
	/** When the allowlist last switched (ms since the epoch), if known. */
	switchedAt?: number;
	/** The sharded version it switched away from then, and when that one had been switched to. */
	previous?: Pick<ShardManifest, "version" | "published">;
}

/**
 * Which stored versions can go. A version the allowlist does not name was replaced at or
 * before its last switch, and one other than the previous version at or before the switch
 * before that: once that moment is PRUNE_AFTER_MS old, no isolate can still read it. When
 * the moment is unknown (the allowlist is stored whole), nothing goes unless `force`. A
 * version a history entry names (`history`: version → the newest such entry's id) never
 * goes, `force` or not: `rollback` restores it by naming its shards again.
 */
export function prunePlan(
	storedKeys: readonly string[],
	switches: Switches,
	now: number,
	options: { force?: boolean; history?: ReadonlyMap<string, string> } = {},
): PrunePlan {
	const byVersion = new Map<string, string[]>();
	for (const key of storedKeys) {
		if (key.startsWith(HISTORY_PREFIX)) continue;
		const version = key.slice(`${ALLOWLIST_KEY}/`.length).split("/")[0] as string;
		if (version !== "" && key.startsWith(versionPrefix(version)))
			byVersion.set(version, [...(byVersion.get(version) ?? []), key]);
	}
	const plan: PrunePlan = { keys: [], deleted: [], kept: [] };
	const { current, switchedAt, previous } = switches;
	const force = options.force === true;
	for (const [version, keys] of byVersion) {
		if (version === current) continue;
		const entry = options.history?.get(version);
		if (entry !== undefined) {
			plan.kept.push({
				version,
				why: `history entry ${entry} names it ("cors-gateway rollback ${entry}" restores it)`,
			});
			continue;
		}
		const replacedAt =
			previous !== undefined && version !== previous.version ? Date.parse(previous.published) : switchedAt;
		if (force || (replacedAt !== undefined && now - replacedAt >= PRUNE_AFTER_MS)) {
			plan.deleted.push(version);
			plan.keys.push(...keys);
		} else if (replacedAt === undefined) {
			plan.kept.push({
				version,
				why: 'the allowlist is stored whole, so when it stopped naming this version is unknown; run "cors-gateway prune --force" 5 minutes after that',
			});
		} else {
			const minutes = Math.max(1, Math.ceil((PRUNE_AFTER_MS - (now - replacedAt)) / 60_000));
			plan.kept.push({ version, why: `replaced less than 5 minutes ago; removable in ${plural(minutes, "minute")}` });
		}
	}
	return plan;
}

/** Deletes the keys of versions no isolate can still be reading nor history names; says what it kept and why. */
export async function pruneVersions(
	target: KvTarget,
	switches: Switches,
	options: { now?: number; force?: boolean } = {},
): Promise<PrunePlan> {
	const listed = await listEntries(target, `${ALLOWLIST_KEY}/`);
	// Oldest first, so that each version ends up mapped to the newest entry naming it.
	const history = new Map<string, string>();
	for (const entry of historyFrom(listed).reverse()) if (entry.version) history.set(entry.version, entry.id);
	const plan = prunePlan(
		listed.map((k) => k.name),
		switches,
		options.now ?? Date.now(),
		{ force: options.force === true, history },
	);
	if (plan.keys.length > 0) await bulkDelete(target, plan.keys);
	for (const version of plan.deleted) note(`removed old version ${version}`);
	for (const { version, why } of plan.kept) note(`kept old version ${version}: ${why}`);
	return plan;
}

function megabytes(bytes: number): string {
	return `${(bytes / 1e6).toFixed(1)} MB`;
}
