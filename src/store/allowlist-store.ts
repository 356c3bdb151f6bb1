// Keeps the compiled policy in the isolate and refreshes it from KV in the background.
//
// workerd forbids a request from awaiting I/O that another request started, so requests
// share only finished values (the compiled policy), never a pending KV read: concurrent
// first requests of a cold isolate each read KV once, and later refreshes run in one
// request's waitUntil while every request keeps serving the policy already loaded.
import { errorMessage } from "../error-message.ts";
import { type AnyCorsPolicy, CorsPolicy, formatProblem, validateAllowlistText } from "../policy/index.ts";
import { BloomFilter } from "../shards/bloom.ts";
import { ALLOWLIST_KEY, filterKey, type ShardManifest } from "../shards/layout.ts";
import { withTimeout } from "../timeout.ts";
import { ShardCache } from "./shard-cache.ts";
import { SHARD_CACHE_TTL_SECONDS, ShardedOrigins } from "./sharded-origins.ts";

/** A KV read that has not answered by then counts as failed. */
const KV_READ_TIMEOUT_MS = 5_000;
/** After a failed read, when to try again (sooner than a full refresh interval). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export type Logger = (event: Record<string, unknown>) => void;

interface Loaded {
	policy: AnyCorsPolicy;
	/** The text it was compiled from (null: no document under the key), to skip recompiling an unchanged one. */
	text: string | null | undefined;
	/** When the next refresh is due, in ms since the epoch. */
	due: number;
	/** The shard source of a sharded allowlist, reused while its version stays the same. */
	source?: { version: string; origins: ShardedOrigins };
}

export interface StoreOptions {
	refreshMs: number;
	log: Logger;
	readTimeoutMs?: number;
	now?: () => number;
	/** Memory budget of the decoded-shard cache (default SHARD_CACHE_BUDGET_BYTES). */
	shardCacheBytes?: number;
}

export class AllowlistStore {
	private loaded: Loaded | undefined;
	/** When the running background refresh started (0: none); a stale one is presumed lost. */
	private refreshingSince = 0;
	private readonly kv: KVNamespace;
	private readonly refreshMs: number;
	private readonly log: Logger;
	private readonly readTimeoutMs: number;
	private readonly now: () => number;
	/** Decoded shards, shared by every version: shard keys are versioned, so never stale. */
	private readonly shards: ShardCache;

	constructor(kv: KVNamespace, options: StoreOptions) {
		this.kv = kv;
		this.refreshMs = options.refreshMs;
		this.log = options.log;
		this.readTimeoutMs = options.readTimeoutMs ?? KV_READ_TIMEOUT_MS;
		this.now = options.now ?? Date.now;
		this.shards = new ShardCache(options.shardCacheBytes);
	}

	/**
	 * The policy to decide this request with. Only an isolate's first requests wait for
	 * KV; afterwards a due refresh is handed to `waitUntil` and the loaded policy served.
	 */
	policy(waitUntil: (promise: Promise<unknown>) => void): AnyCorsPolicy | Promise<AnyCorsPolicy> {
		const loaded = this.loaded;
		if (loaded === undefined) return this.load();
		const now = this.now();
		if (now >= loaded.due && (this.refreshingSince === 0 || now - this.refreshingSince > 2 * this.readTimeoutMs)) {
			this.refreshingSince = now;
			waitUntil(
				this.load().finally(() => {
					this.refreshingSince = 0;
				}),
			);
		}
		return loaded.policy;
	}

	/** Reads and compiles the document; never rejects, never widens access. */
	async load(): Promise<AnyCorsPolicy> {
		let text: string | null;
		try {
			text = await this.timed(this.kv.get(ALLOWLIST_KEY));
		} catch (error) {
			return this.readFailed(ALLOWLIST_KEY, error);
		}

		const due = this.now() + this.refreshMs;
		const previous = this.loaded;
		if (previous !== undefined && previous.text === text) {
			this.loaded = { ...previous, due };
			return previous.policy;
		}
		if (text === null) {
			this.log({ event: "allowlist-missing", key: ALLOWLIST_KEY, effect: "cross-origin requests refused" });
			return this.keep(
				new CorsPolicy({ missing: `no allowlist document under the KV key "${ALLOWLIST_KEY}"` }),
				text,
				due,
			);
		}
		const result = validateAllowlistText(text, { warnings: false });
		if (!result.ok) {
			const kept = previous?.policy.document ? previous.policy : undefined;
			this.log({
				event: "allowlist-invalid",
				key: ALLOWLIST_KEY,
				problems: result.problems.map(formatProblem),
				effect: kept
					? "ignored; serving the last valid allowlist"
					: "ignored; no valid allowlist loaded, cross-origin requests refused",
			});
			return this.keep(kept ?? new CorsPolicy({ missing: "the allowlist document in KV is invalid" }), text, due);
		}
		const manifest = result.document.shards;
		if (manifest === undefined) return this.keep(new CorsPolicy(result), text, due);

		let source = previous?.source?.version === manifest.version ? previous.source : undefined;
		if (source === undefined) {
			try {
				source = { version: manifest.version, origins: await this.openShards(manifest) };
			} catch (error) {
				return this.readFailed(filterKey(manifest.version), error);
			}
		}
		return this.keep(new CorsPolicy({ ...result, source: source.origins }), text, due, source);
	}

	/** The shard source of `manifest`, once its membership filter is read. */
	private async openShards(manifest: ShardManifest): Promise<ShardedOrigins> {
		const key = filterKey(manifest.version);
		const bytes = await this.timed(this.kv.get(key, { type: "arrayBuffer", cacheTtl: SHARD_CACHE_TTL_SECONDS }));
		if (bytes === null) throw new Error(`the membership filter "${key}" is missing`);
		const filter = BloomFilter.fromBytes(bytes);
		if (filter === undefined || filter.seed !== manifest.seed)
			throw new Error(`the membership filter "${key}" is not one written for this manifest`);
		const read = (shard: string) => this.timed(this.kv.get(shard, { type: "text", cacheTtl: SHARD_CACHE_TTL_SECONDS }));
		return new ShardedOrigins(manifest, filter, this.shards, read, this.log);
	}

	/** A KV read that counts as failed when it has not answered within the read timeout. */
	private timed<T>(read: Promise<T>): Promise<T> {
		return withTimeout(read, this.readTimeoutMs, () => new Error(`KV read timed out after ${this.readTimeoutMs} ms`));
	}

	/** A read that failed: keep what is loaded (or refuse everything) and try again soon. */
	private readFailed(key: string, error: unknown): AnyCorsPolicy {
		const reason = errorMessage(error);
		const kept = this.loaded;
		this.log({
			event: "allowlist-read-failed",
			key,
			reason,
			keeping: kept?.policy.document ? "last valid allowlist" : "nothing: cross-origin requests refused",
		});
		const policy = kept?.policy ?? new CorsPolicy({ missing: `the allowlist could not be read from KV (${reason})` });
		this.loaded = { ...kept, policy, text: kept?.text, due: this.now() + RETRY_AFTER_FAILURE_MS };
		return policy;
	}

	private keep(policy: AnyCorsPolicy, text: string | null, due: number, source?: Loaded["source"]): AnyCorsPolicy {
		this.loaded = source === undefined ? { policy, text, due } : { policy, text, due, source };
		return policy;
	}
}
