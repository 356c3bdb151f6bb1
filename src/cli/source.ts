// Where a document comes from: a file, stdin, or the KV namespace; and what it says.
import { readFile } from "node:fs/promises";
import type { Compiled, ShardManifest } from "../policy/index.ts";
import { Refusal } from "./errors.ts";
import { describeTarget, type KvTarget, readAllowlist } from "./kv.ts";
import { printProblems } from "./output.ts";
import { compileChecked } from "./public-suffix.ts";
import { expandShards } from "./sharded-store.ts";

/** The text of FILE, or of stdin for `-`. */
export async function readDocumentText(file: string): Promise<string> {
	try {
		return file === "-" ? await readStdin() : await readFile(file, "utf8");
	} catch (error) {
		const code = (error as { code?: string }).code;
		const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(error);
		throw new Refusal(`cannot read ${file}: ${why}`);
	}
}

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString("utf8");
}

/** How messages name FILE: `-` is stdin. */
export function sourceName(file: string): string {
	return file === "-" ? "stdin" : file;
}

/** A document that must be valid (to decide with): its problems are printed and refused. */
export async function readValidDocument(path: string, consequence = ""): Promise<Extract<Compiled, { ok: true }>> {
	const result = compileChecked(await readDocumentText(path));
	printProblems(result.ok ? [] : result.problems, result.warnings);
	if (!result.ok) throw new Refusal(`${sourceName(path)} is not a valid allowlist document${consequence}`);
	return result;
}

/** A document to write (a file to push or compare): valid, and listing its origins itself. */
export async function readDocumentToWrite(path: string, consequence = ""): Promise<Extract<Compiled, { ok: true }>> {
	const result = await readValidDocument(path, consequence);
	const name = sourceName(path);
	if (result.document.shards !== undefined) {
		throw new Refusal(
			`${name} names shards ("shards" is written by cors-gateway itself); list every origin in "origins" instead, and large lists are sharded when pushed${consequence}`,
		);
	}
	return result;
}

/**
 * What KV holds: nothing, or a text with its validation. For a sharded allowlist the
 * validation is of the whole document, its shards' origins read back in, and `manifest`
 * names the shards; `text` is always what is stored under the key, to detect edits.
 */
export type Stored =
	| { text: null; where: string }
	| { text: string; where: string; validation: Compiled; manifest?: ShardManifest };

export async function readStored(target: KvTarget): Promise<Stored> {
	const where = describeTarget(target);
	const text = await readAllowlist(target);
	if (text === null) return { text, where };
	const validation = compileChecked(text);
	if (!validation.ok || validation.document.shards === undefined) return { text, where, validation };
	const manifest = validation.document.shards;
	return { text, where, validation: await expandShards(target, validation.document), manifest };
}

/** The stored text, which the command needs (to print, to list, to edit). */
export function requireStored(stored: Stored): Extract<Stored, { validation: Compiled }> {
	if (stored.text === null) {
		throw new Refusal(
			`no allowlist is stored in ${stored.where} (key "allowlist"); create one with "cors-gateway push FILE" or "cors-gateway add ORIGIN"`,
		);
	}
	return stored;
}

/**
 * The stored document, which the command needs valid (to list, to edit). Its warnings are
 * the caller's to show: an edit shows those of the document it is about to write.
 */
export function requireValidStored(stored: Stored): Extract<Compiled, { ok: true }> {
	const { validation: v } = requireStored(stored);
	if (!v.ok) {
		printProblems(v.problems, v.warnings);
		throw new Refusal(
			`the allowlist stored in ${stored.where} is invalid; fix it with "cors-gateway pull > allowlist.json", an edit, and "cors-gateway push allowlist.json"`,
		);
	}
	return v;
}
