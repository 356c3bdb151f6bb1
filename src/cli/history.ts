// The documents the command line's writes replaced, kept in KV under allowlist/history/ so
// that a change can be undone (`cors-gateway history`, `rollback`). An entry's value is the
// replaced text exactly as it was stored; when, who and what are its metadata, which KV
// lists with the key, so listing the history reads no document. The Worker never reads them.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Compiled, ShardManifest } from "../policy/index.ts";
import { HISTORY_PREFIX } from "../shards/layout.ts";
import { bulkDelete, bulkGet, bulkPut, type KvTarget, type ListedKey, listEntries } from "./kv.ts";

/** How many replaced documents are kept by default (`--keep-history N`); older ones are deleted. */
export const HISTORY_KEEP = 50;

/** Key names count the time down from this (zero-padded, good until 2286), so they list newest first. */
const LAST_MS = 9_999_999_999_999;
const KEY = new RegExp(`^${HISTORY_PREFIX}(\\d{13})-([0-9a-f]{6})$`);
// Metadata is limited to 1,024 bytes as JSON: the free-text fields are cut well below that.
const SUMMARY_CHARS = 160;
const AUTHOR_CHARS = 100;

export interface HistoryEntry {
	/** Short and unique among the entries: what `rollback ID` takes. */
	id: string;
	key: string;
	/** When the document was replaced (ISO 8601). */
	at: string;
	/** Who replaced it: the git user, else $USER, else "unknown". */
	by: string;
	/** The change that replaced it: `add https://x.example.com: +1 origin`. */
	summary: string;
	/** The top level's origins of the replaced document, its shards' included; absent when it was invalid. */
	origins?: number;
	/** The shard version the replaced document names, whose shards are kept while this entry is. */
	version?: string;
	/** The replaced document did not validate: kept as it was, never restored. */
	invalid?: true;
}

type Metadata = Omit<HistoryEntry, "id" | "key">;

/** The entries, newest first. */
export async function readHistory(target: KvTarget): Promise<HistoryEntry[]> {
	return historyFrom(await listEntries(target, HISTORY_PREFIX));
}

/** The history entries among listed keys (others are ignored), newest first. */
export function historyFrom(listed: readonly ListedKey[]): HistoryEntry[] {
	const entries: HistoryEntry[] = [];
	for (const { name, metadata } of listed) {
		const match = KEY.exec(name);
		if (match === null) continue;
		const m = (metadata ?? {}) as Partial<Metadata>;
		entries.push({
			id: match[2] as string,
			key: name,
			at: typeof m.at === "string" ? m.at : new Date(LAST_MS - Number(match[1])).toISOString(),
			by: typeof m.by === "string" ? m.by : "unknown",
			summary: typeof m.summary === "string" ? m.summary : "(no summary recorded)",
			...(typeof m.origins === "number" ? { origins: m.origins } : {}),
			...(typeof m.version === "string" ? { version: m.version } : {}),
			...(m.invalid === true ? { invalid: true as const } : {}),
		});
	}
	return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The entry for the stored document a write replaces (as readStored read it), with an id none of `taken` has. */
export function newEntry(
	stored: { validation: Compiled; manifest?: ShardManifest },
	summary: string,
	now: Date,
	taken: readonly HistoryEntry[],
): HistoryEntry {
	const ids = new Set(taken.map((e) => e.id));
	let id: string;
	do id = randomBytes(3).toString("hex");
	while (ids.has(id));
	const ms = String(LAST_MS - now.getTime()).padStart(13, "0");
	const v = stored.validation;
	return {
		id,
		key: `${HISTORY_PREFIX}${ms}-${id}`,
		at: now.toISOString(),
		by: clip(author(), AUTHOR_CHARS),
		summary: clip(summary, SUMMARY_CHARS),
		...(v.ok ? { origins: v.document.origins.length } : { invalid: true as const }),
		...(v.ok && stored.manifest ? { version: stored.manifest.version } : {}),
	};
}

/** Stores `entry` with `text`, the replaced document as it was stored. */
export async function putEntry(target: KvTarget, entry: HistoryEntry, text: string): Promise<void> {
	const { id: _, key, ...metadata } = entry;
	await bulkPut(target, [{ key, value: text, metadata }], () => {});
}

export async function dropEntries(target: KvTarget, entries: readonly HistoryEntry[]): Promise<void> {
	await bulkDelete(
		target,
		entries.map((e) => e.key),
	);
}

/** The document `entry` kept, as it was stored; null if the key is gone. */
export async function entryText(target: KvTarget, entry: HistoryEntry): Promise<string | null> {
	return (await bulkGet(target, [entry.key])).get(entry.key) ?? null;
}

/** Who is writing: the git user (`Name <email>`), else $USER, else "unknown". */
export function author(): string {
	const name = gitConfig("user.name");
	const email = gitConfig("user.email");
	if (name !== undefined && email !== undefined) return `${name} <${email}>`;
	return name ?? email ?? (process.env.USER || "unknown");
}

function gitConfig(key: string): string | undefined {
	try {
		const value = execFileSync("git", ["config", key], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
		return value.trim() || undefined;
	} catch {
		// No git, or the key is not set.
		return undefined;
	}
}

function clip(text: string, chars: number): string {
	return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}
