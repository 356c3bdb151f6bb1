// Reads and writes the allowlist document in Workers KV through wrangler, so wrangler's
// login, wrangler.toml and local storage are reused exactly: the remote namespace through
// its `kv` commands, the local one through its getPlatformProxy (local-kv.ts). Without
// --persist-to, "local" is the persisted store `npm run dev` and `wrangler dev` use
// (.wrangler/state next to the wrangler config).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { ALLOWLIST_KEY } from "../shards/layout.ts";
import { Refusal, WranglerError } from "./errors.ts";
import { localNamespace } from "./local-kv.ts";
import { compileChecked } from "./public-suffix.ts";
import { wranglerFile } from "./wrangler-package.ts";

const BINDING = "ALLOWLIST";

/** Which KV namespace: wrangler's flags, passed on as given. */
export interface KvTarget {
	remote: boolean;
	env?: string;
	config?: string;
	persistTo?: string;
}

export interface WranglerResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** The project's own wrangler (its JS entry), run on the Node.js running this command. */
export function wranglerEntry(): string {
	return wranglerFile("bin/wrangler.js");
}

/** One wrangler KV action: on the allowlist key, on keys with a prefix, or in bulk from a JSON file. */
export type KvAction =
	| { get: true }
	| { put: string }
	| { list: string }
	| { bulkGet: string }
	| { bulkPut: string }
	| { bulkDelete: string };

/** The wrangler command line for one KV action. */
export function wranglerArgs(action: KvAction, target: KvTarget): string[] {
	const head =
		"get" in action
			? ["kv", "key", "get", ALLOWLIST_KEY]
			: "put" in action
				? ["kv", "key", "put", ALLOWLIST_KEY, "--path", action.put]
				: "list" in action
					? ["kv", "key", "list", "--prefix", action.list]
					: "bulkGet" in action
						? ["kv", "bulk", "get", action.bulkGet]
						: "bulkPut" in action
							? ["kv", "bulk", "put", action.bulkPut]
							: ["kv", "bulk", "delete", action.bulkDelete, "--force"];
	return [
		...head,
		"--binding",
		BINDING,
		target.remote ? "--remote" : "--local",
		...(target.env === undefined ? [] : ["--env", target.env]),
		...(target.config === undefined ? [] : ["--config", target.config]),
		...(target.persistTo === undefined ? [] : ["--persist-to", target.persistTo]),
	];
}

/** Where the document lives, in words: `local KV (.wrangler/state)`, `remote KV (env staging)`. */
export function describeTarget(target: KvTarget): string {
	const env = target.env === undefined ? "" : `, env ${target.env}`;
	if (target.remote) return `remote KV${env}`;
	return `local KV (${target.persistTo ?? ".wrangler/state"}${env})`;
}

/**
 * wrangler offline and quiet, through its documented environment variables: no download
 * of the `Request.cf` object, no usage metrics, no banner (nor the npm update check
 * behind it). Every place this project runs wrangler starts from these.
 */
export const QUIET_WRANGLER_ENV = {
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_HIDE_BANNER: "true",
};

/** The environment wrangler runs in: quiet and offline unless the environment says otherwise. */
export function wranglerEnv(): NodeJS.ProcessEnv {
	return {
		// V8's code cache for wrangler's large bundle: each run starts about a fifth faster.
		NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache"),
		...QUIET_WRANGLER_ENV,
		...process.env,
	};
}

/** Runs wrangler to completion with its output captured, in `cwd` (default: this process's). */
export function runWrangler(args: string[], cwd?: string): Promise<WranglerResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [wranglerEntry(), ...args], {
			cwd,
			env: wranglerEnv(),
			stdio: ["ignore", "pipe", "pipe"],
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
		child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
		child.on("error", (error) => reject(new WranglerError(`cannot start wrangler: ${error.message}`, 1)));
		child.on("close", (code) =>
			resolve({
				code: code ?? 1,
				stdout: Buffer.concat(out).toString("utf8"),
				stderr: Buffer.concat(err).toString("utf8"),
			}),
		);
	});
}

/** wrangler's own words for a failed run, colours removed, and what to do when the Worker is not deployed yet. */
function wranglerFailure(result: WranglerResult, target: KvTarget): WranglerError {
	const text = stripVTControlCharacters(result.stderr.trim() || result.stdout.trim());
	const hint = target.remote && saysNotDeployed(text) ? `\n${NOT_DEPLOYED_HINT}` : "";
	return new WranglerError((text || `wrangler exited with code ${result.code}`) + hint, result.code);
}

export const NOT_DEPLOYED_HINT =
	'ALLOWLIST has no id in the wrangler config: the first deploy creates the namespace, and remote commands find it through the deployed Worker. Deploy first with "npm run deploy" ("npm run deploy -- --env NAME" for an environment), which also pushes the allowlist.';

/**
 * True when a remote command failed because the Worker (of this --env) is not deployed, or
 * deployed without ALLOWLIST: wrangler looks an id-less namespace up in the deployed
 * Worker's settings, and the API answers 10007 for a Worker that does not exist.
 */
export function saysNotDeployed(text: string): boolean {
	return (
		text.includes('No KV namespace ID found for binding "ALLOWLIST"') ||
		(/\/workers\/scripts\/[^/\s]+\/settings\) failed/.test(text) && text.includes("[code: 10007]"))
	);
}

/**
 * True when a remote `get` reports a missing key rather than failing: the API answers 404
 * (and wrangler exits non-zero); `list` then confirms it.
 */
export function getSaysMissing(result: WranglerResult): boolean {
	return result.code !== 0 && / - 404: /.test(result.stderr);
}

/** The stored text under `allowlist`, exactly as stored, or null when there is none. */
export async function readAllowlist(target: KvTarget): Promise<string | null> {
	if (!target.remote) return (await localNamespace(target)).get(ALLOWLIST_KEY);
	const got = await runWrangler(wranglerArgs({ get: true }, target));
	if (got.code === 0) return got.stdout;
	if (getSaysMissing(got) && !(await listKeys(target, ALLOWLIST_KEY)).includes(ALLOWLIST_KEY)) return null;
	throw wranglerFailure(got, target);
}

/** A listed key: its name, and the metadata stored with it, if any. */
export interface ListedKey {
	name: string;
	metadata?: unknown;
}

/** The keys that start with `prefix`, with their metadata, in key order. */
export async function listEntries(target: KvTarget, prefix: string): Promise<ListedKey[]> {
	if (!target.remote) return listLocal(await localNamespace(target), prefix);
	const listed = await runWrangler(wranglerArgs({ list: prefix }, target));
	if (listed.code !== 0) throw wranglerFailure(listed, target);
	return parseJson<ListedKey[]>(listed.stdout, "kv key list");
}

/** The names of the keys that start with `prefix`. */
export async function listKeys(target: KvTarget, prefix: string): Promise<string[]> {
	return (await listEntries(target, prefix)).map((k) => k.name);
}

// Per wrangler run: the KV API reads at most 100 keys a request, and a bulk write should
// stay well under its 100 MB request limit.
const BULK_GET_KEYS = 100;
const BULK_PUT_BYTES = 50 * 1024 * 1024;
const BULK_PUT_KEYS = 5000;

/** The text values of `keys`, null for a missing key, read in as few wrangler runs as allowed. */
export async function bulkGet(target: KvTarget, keys: readonly string[]): Promise<Map<string, string | null>> {
	const values = new Map<string, string | null>();
	if (!target.remote) {
		const kv = await localNamespace(target);
		for (const key of keys) values.set(key, await kv.get(key));
		return values;
	}
	for (let i = 0; i < keys.length; i += BULK_GET_KEYS) {
		const batch = keys.slice(i, i + BULK_GET_KEYS);
		const got = await withTempFile(JSON.stringify(batch), (file) =>
			runWrangler(wranglerArgs({ bulkGet: file }, target)),
		);
		if (got.code !== 0) throw wranglerFailure(got, target);
		const answer = parseJson<Record<string, { value: string | null }>>(got.stdout, "kv bulk get");
		for (const key of batch) values.set(key, answer[key]?.value ?? null);
	}
	return values;
}

/** A value to write, with the metadata KV lists along with its key (at most 1,024 bytes as JSON). */
export interface KvPair {
	key: string;
	value: string | Uint8Array;
	metadata?: object;
}

/** Writes every pair, in batches; `progress` hears keys and value bytes written so far. Binary values go as base64. */
export async function bulkPut(
	target: KvTarget,
	pairs: readonly KvPair[],
	progress: (done: number, bytes: number) => void,
): Promise<void> {
	let start = 0;
	let raw = 0;
	if (!target.remote) {
		const kv = await localNamespace(target);
		for (const { key, value, metadata } of pairs) {
			await kv.put(key, value, metadata === undefined ? {} : { metadata });
			raw += typeof value === "string" ? value.length : value.byteLength;
			if (++start % BULK_PUT_KEYS === 0 || start === pairs.length) progress(start, raw);
		}
		return;
	}
	while (start < pairs.length) {
		const batch: { key: string; value: string; base64?: true; metadata?: object }[] = [];
		let size = 0;
		for (let i = start; i < pairs.length && batch.length < BULK_PUT_KEYS; i++) {
			const { key, value, metadata } = pairs[i] as KvPair;
			const entry = {
				...(typeof value === "string"
					? { key, value }
					: { key, value: Buffer.from(value).toString("base64"), base64: true as const }),
				...(metadata === undefined ? {} : { metadata }),
			};
			if (batch.length > 0 && size + entry.value.length > BULK_PUT_BYTES) break;
			batch.push(entry);
			size += entry.value.length;
			raw += typeof value === "string" ? value.length : value.byteLength;
		}
		const put = await withTempFile(JSON.stringify(batch), (file) =>
			runWrangler(wranglerArgs({ bulkPut: file }, target)),
		);
		if (put.code !== 0) throw wranglerFailure(put, target);
		start += batch.length;
		progress(start, raw);
	}
}

export async function bulkDelete(target: KvTarget, keys: readonly string[]): Promise<void> {
	if (!target.remote) {
		const kv = await localNamespace(target);
		for (const key of keys) await kv.delete(key);
		return;
	}
	for (let i = 0; i < keys.length; i += BULK_PUT_KEYS) {
		const batch = keys.slice(i, i + BULK_PUT_KEYS);
		const deleted = await withTempFile(JSON.stringify(batch), (file) =>
			runWrangler(wranglerArgs({ bulkDelete: file }, target)),
		);
		if (deleted.code !== 0) throw wranglerFailure(deleted, target);
	}
}

/** Runs `use` on a private temporary file holding `text`, then removes it. */
async function withTempFile<T>(text: string, use: (file: string) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), "cors-gateway-"));
	try {
		const file = join(dir, "value");
		await writeFile(file, text);
		return await use(file);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

function parseJson<T>(stdout: string, command: string): T {
	try {
		return JSON.parse(stdout) as T;
	} catch {
		throw new WranglerError(`unexpected output from wrangler ${command}: ${stdout.slice(0, 200)}`, 1);
	}
}

/** Writes `text` under `allowlist`. Refuses, whatever the caller, to write a document that does not validate. */
export async function writeAllowlist(target: KvTarget, text: string): Promise<void> {
	if (!compileChecked(text).ok) throw new Refusal("refusing to write an invalid allowlist document");
	if (!target.remote) return (await localNamespace(target)).put(ALLOWLIST_KEY, text);
	const put = await withTempFile(text, (file) => runWrangler(wranglerArgs({ put: file }, target)));
	if (put.code !== 0) throw wranglerFailure(put, target);
}

/** Every key under `prefix` of a local namespace, page by page. */
async function listLocal(kv: KVNamespace, prefix: string): Promise<ListedKey[]> {
	const keys: ListedKey[] = [];
	let cursor: string | undefined;
	do {
		const page = await kv.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
		for (const { name, metadata } of page.keys) keys.push(metadata === undefined ? { name } : { name, metadata });
		cursor = page.list_complete ? undefined : page.cursor;
	} while (cursor !== undefined);
	return keys;
}
