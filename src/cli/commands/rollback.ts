import type { AllowlistDocument, ShardManifest } from "../../policy/index.ts";
import { KV_OPTIONS, kvTarget, WRITE_OPTIONS, writeOptions } from "../args.ts";
import { Refusal } from "../errors.ts";
import { entryText, type HistoryEntry, readHistory } from "../history.ts";
import { describeTarget, type KvTarget } from "../kv.ts";
import { printProblems } from "../output.ts";
import { compileChecked } from "../public-suffix.ts";
import { expandShards } from "../sharded-store.ts";
import { readStored } from "../source.ts";
import { applyChange } from "../write.ts";
import { type Command, KV_HELP, WRITE_HELP } from "./command.ts";

export const rollback: Command = {
	name: "rollback",
	usage: "cors-gateway rollback [ID] [--yes] [--local | --remote]",
	summary: "restore the document a change replaced: by default the last change's, which undoes it",
	help: `  ID                  a history entry's id, as "cors-gateway history" lists them
                      (default: the newest)
${WRITE_HELP}
${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS },
	positionals: { min: 0, max: 1, what: "ID" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "rollback");
		const options = writeOptions(values, "rollback");
		const entry = chosen(await readHistory(target), positionals[0], describeTarget(target));
		if (entry.invalid) {
			throw new Refusal(
				`history entry ${entry.id} is a document that was invalid when it was replaced, and only a valid one is restored; nothing written (its text is kept under the KV key "${entry.key}")`,
			);
		}
		const { document, manifest } = await restorable(target, entry);
		return applyChange(
			target,
			await readStored(target),
			document,
			{
				what: `rollback to ${entry.id}`,
				// Its shards become the served version again: switched to now, for prune.
				...(manifest ? { reuse: { ...manifest, published: new Date().toISOString() } } : {}),
			},
			options,
		);
	},
};

function chosen(entries: readonly HistoryEntry[], id: string | undefined, where: string): HistoryEntry {
	if (entries.length === 0) {
		throw new Refusal(
			`no history in ${where}: no write by cors-gateway has replaced a document there yet; nothing written`,
		);
	}
	if (id === undefined) return entries[0] as HistoryEntry;
	const entry = entries.find((e) => e.id === id);
	if (entry === undefined) {
		throw new Refusal(
			`no history entry "${id}" in ${where}; nothing written. The entries are ${entries.map((e) => e.id).join(", ")}, newest first ("cors-gateway history" lists them)`,
		);
	}
	return entry;
}

/** The entry's document, validated as every write is, its shards read back in (and required). */
async function restorable(
	target: KvTarget,
	entry: HistoryEntry,
): Promise<{ document: AllowlistDocument; manifest?: ShardManifest }> {
	const text = await entryText(target, entry);
	if (text === null) throw new Refusal(`history entry ${entry.id} is gone; nothing written`);
	const checked = compileChecked(text);
	const manifest = checked.ok ? checked.document.shards : undefined;
	const whole = checked.ok && manifest !== undefined ? await expandShards(target, checked.document) : checked;
	if (manifest !== undefined && !whole.ok && whole.problems.some((p) => p.rule === "shard-missing")) {
		throw new Refusal(
			`the shards of version ${manifest.version} that history entry ${entry.id} names are gone; nothing written`,
		);
	}
	printProblems(whole.ok ? [] : whole.problems, whole.warnings);
	if (!whole.ok) throw new Refusal(`history entry ${entry.id} is not a valid allowlist document; nothing written`);
	return manifest === undefined ? { document: whole.document } : { document: whole.document, manifest };
}
