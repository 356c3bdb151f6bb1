// Every write goes through here: show what changes, confirm, keep the replaced document in
// history, re-read, write (as one document, or as shards and then the document naming
// them), trim the history, remove old shard versions.
//
// Workers KV has no compare-and-swap, so "refuse if someone else edited it" is done by
// reading the stored text again right before the write and comparing it with the text
// the change was computed from. That catches every edit made while the diff was on
// screen or the prompt was waiting; it narrows the race to the moment between that
// re-read and the put, which KV cannot close.
import type { AllowlistDocument, ShardManifest } from "../policy/index.ts";
import { canPrompt, confirm } from "./confirm.ts";
import { diffDocuments, EMPTY_DOCUMENT, summarizeChange } from "./document-diff.ts";
import { Refusal, UsageError } from "./errors.ts";
import { dropEntries, newEntry, putEntry, readHistory } from "./history.ts";
import { type KvTarget, readAllowlist } from "./kv.ts";
import { plural, printProblems, say } from "./output.ts";
import { compileChecked } from "./public-suffix.ts";
import { pruneVersions, publish } from "./sharded-store.ts";
import type { Stored } from "./source.ts";

/** Changes listed before a confirmation: enough to review, not a million lines. */
const SHOWN_CHANGES = 200;

/** How a command writes: its flags (`--yes`, `--shard-above`, `--keep-history`). */
export interface WriteOptions {
	yes: boolean;
	shardAbove: number;
	/** How many replaced documents history keeps. */
	keepHistory: number;
}

/** What a command changes, beyond the document it writes. */
export interface Change {
	/** The command in its own words, for the history entry: `add https://x.example.com`. */
	what: string;
	/** Shards that hold exactly the new document's sharded entries, named again instead of uploaded (rollback). */
	reuse?: ShardManifest;
}

export async function applyChange(
	target: KvTarget,
	stored: Stored,
	next: AllowlistDocument,
	change: Change,
	{ yes, shardAbove, keepHistory }: WriteOptions,
): Promise<number> {
	const where = stored.where;
	const base = stored.text !== null && stored.validation.ok ? stored.validation.document : undefined;
	const replacing = base === undefined;
	if (stored.text === null) say(`Nothing is stored in ${where} yet; this creates the allowlist:`);
	else if (replacing) say(`The allowlist in ${where} is invalid; this replaces it:`);
	else say(`Changes to the allowlist in ${where}:`);

	const lines = diffDocuments(base ?? EMPTY_DOCUMENT, next);
	if (lines.length === 0 && !replacing) {
		say("  none: the stored allowlist already says this; nothing written.");
		return 0;
	}
	for (const line of lines.slice(0, SHOWN_CHANGES)) say(`  ${line}`);
	if (lines.length > SHOWN_CHANGES)
		say(`  … and ${(lines.length - SHOWN_CHANGES).toLocaleString("en")} more (all of them: cors-gateway diff FILE)`);
	if (lines.length === 0) say("  (no origins, default settings)");

	if (!yes) {
		if (!canPrompt()) {
			throw new UsageError(`nothing written: no terminal to confirm on; re-run with --yes to write to ${where}`);
		}
		if (!(await confirm(`Write this to ${where}? [y/N] `))) throw new Refusal("not confirmed; nothing written");
	}

	// The stored shards are reused when the top level's origins are unchanged: a route's
	// edit of a large allowlist uploads nothing, and gateways keep the shards they cached.
	const previous = stored.text === null ? undefined : stored.manifest;
	const same = base !== undefined && sameList(base.origins, next.origins);
	const reuse = same && previous ? previous : change.reuse;
	// A first write replaces nothing, so there is nothing to keep.
	const history = stored.text === null ? [] : await readHistory(target);
	const entry =
		stored.text === null
			? undefined
			: newEntry(
					stored,
					`${change.what}: ${base ? summarizeChange(base, next) : "replaced an invalid document"}`,
					new Date(),
					history,
				);
	let recorded = false;
	let manifest: ShardManifest | undefined;
	try {
		manifest = await publish(target, next, {
			shardAbove,
			...(reuse ? { reuse } : {}),
			beforeSwitch: async () => {
				// Kept before the switch: a write that fails half-way loses nothing.
				if (entry !== undefined && stored.text !== null) {
					await putEntry(target, entry, stored.text);
					recorded = true;
				}
				if ((await readAllowlist(target)) !== stored.text) {
					throw new Refusal(
						`the allowlist in ${where} changed after it was read (someone else edited it); nothing written. Run the command again to apply your change on top of theirs.`,
					);
				}
			},
		});
	} catch (error) {
		// Not switched: an entry for a change that did not happen would mislead.
		if (recorded && entry !== undefined) await dropEntries(target, [entry]);
		throw error;
	}
	const kept = manifest !== undefined && manifest === previous;
	const layout = manifest
		? ` as ${plural(manifest.count, "shard")} of version ${manifest.version}${kept ? " (the shards as they were)" : ""}`
		: "";
	say(`Written to ${where}${layout}. ${propagation(target)}`);
	if (entry !== undefined) {
		say(`The replaced document is kept as history entry ${entry.id} (undo: cors-gateway rollback ${entry.id}).`);
		const beyond = [entry, ...history].slice(keepHistory);
		if (beyond.length > 0) await dropEntries(target, beyond);
	}
	if (manifest !== undefined || previous !== undefined) {
		const switchedAt = manifest ? Date.parse(manifest.published) : Date.now();
		await pruneVersions(target, { current: manifest?.version, switchedAt, previous });
	}
	return 0;
}

/**
 * For edits of the stored document (add, remove): `candidate` is validated as a whole, so
 * an entry is judged in context ("*" with credentials); refused with `nothing` ("nothing
 * added") on a problem, otherwise applied.
 */
export async function applyEdit(
	target: KvTarget,
	stored: Stored,
	candidate: object,
	change: Change,
	options: WriteOptions,
	nothing: string,
): Promise<number> {
	const result = compileChecked(candidate);
	if (!result.ok) {
		printProblems(result.problems, []);
		throw new Refusal(nothing);
	}
	printProblems([], result.warnings);
	return applyChange(target, stored, result.document, change, options);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((x, i) => x === b[i]);
}

function propagation(target: KvTarget): string {
	return target.remote
		? "Live traffic follows within about 60 s (KV propagation) + ALLOWLIST_REFRESH_SECONDS (30 s by default)."
		: "A running `npm run dev` follows within ALLOWLIST_REFRESH_SECONDS (30 s by default).";
}
