// Keeps the compiled policy in the isolate and refreshes it from KV in the background.
//
// workerd forbids a request from awaiting I/O that another request started, so requests
// share only finished values (the compiled policy), never a pending KV read: a cold
// isolate's first requests start at most MAX_READS_IN_FLIGHT reads and the rest poll for
// the value one of them stores; later refreshes run in one request's waitUntil while every
// request keeps serving the policy already loaded.

import {
	type AnyCorsPolicy,
	compileAllowlist,
	formatProblem,
	refuseAll,
	type ShardManifest,
} from "../../policy/index.ts";
import { BloomFilter } from "../../shards/bloom.ts";
import { ALLOWLIST_KEY, filterKey } from "../../shards/layout.ts";
import { errorMessage, type Logger } from "../log.ts";
import { withTimeout } from "../timeout.ts";
import { ShardCache } from "./shard-cache.ts";
import { KV_EDGE_CACHE_TTL_SECONDS, ShardedOrigins } from "./sharded-origins.ts";

/** A KV read that has not answered by then counts as failed. */
const KV_READ_TIMEOUT_MS = 5_000;
/** With a valid policy kept, how long a started read defers the next (and a failed one, its retry). */
const RETRY_AFTER_FAILURE_MS = 5_000;
/**
 * With no valid policy, retries back off from the first to the last delay, so that an
 * isolate serves again within about a second of KV recovering without a read storm.
 */
const NOTHING_LOADED_RETRY_MS = [100, 200, 400, 800, 1_000];
/** Allowlist reads under way at once, at most (a hung one counts until twice the read timeout). */
const MAX_READS_IN_FLIGHT = 2;
/** How often a cold isolate's requests past that bound look for the loaded policy. */
const COLD_POLL_MS = 5;

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
	/** When each read under way started; one older than twice the read timeout is presumed lost. */
	private readonly reads: number[] = [];
	/** Failed reads in a row while no valid policy is loaded: the retry backoff's step. */
	private failures = 0;
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
		if (loaded === undefined) return this.firstLoad();
		const now = this.now();
		if (now >= loaded.due && this.startRead(now)) {
			// The next read waits for this one's retry delay, not for it to settle.
			this.loaded = { ...loaded, due: now + this.retryDelay() };
			waitUntil(this.read(now));
		}
		return loaded.policy;
	}

	/** A cold isolate: read KV, or past the bound on reads, wait for another request's result. */
	private async firstLoad(): Promise<AnyCorsPolicy> {
		const now = this.now();
		if (this.startRead(now)) return this.read(now);
		for (let waited = 0; this.loaded === undefined && waited < this.readTimeoutMs; waited += COLD_POLL_MS) {
			await new Promise((resolve) => setTimeout(resolve, COLD_POLL_MS));
		}
		return this.loaded?.policy ?? refuseAll(`the allowlist was not read from KV within ${this.readTimeoutMs} ms`);
	}

	/** Whether a read may start now: fewer than MAX_READS_IN_FLIGHT are under way. */
	private startRead(now: number): boolean {
		const lost = now - 2 * this.readTimeoutMs;
		for (let i = this.reads.length - 1; i >= 0; i--) if ((this.reads[i] as number) < lost) this.reads.splice(i, 1);
		if (this.reads.length >= MAX_READS_IN_FLIGHT) return false;
		this.reads.push(now);
		return true;
	}

	private async read(startedAt: number): Promise<AnyCorsPolicy> {
		try {
			return await this.load();
		} finally {
			const i = this.reads.indexOf(startedAt);
			if (i >= 0) this.reads.splice(i, 1);
		}
	}

	/** How long until the next try after a failed (or a started) read. */
	private retryDelay(): number {
		if (this.loaded?.policy.document) return RETRY_AFTER_FAILURE_MS;
		const step = Math.min(this.failures, NOTHING_LOADED_RETRY_MS.length - 1);
		return NOTHING_LOADED_RETRY_MS[step] as number;
	}

	/** Reads and compiles the document; never rejects, never widens access. */
	private async load(): Promise<AnyCorsPolicy> {
		let text: string | null;
		try {
			text = await this.timed(this.kv.get(ALLOWLIST_KEY));
		} catch (error) {
			return this.readFailed(ALLOWLIST_KEY, error);
		}

		this.failures = 0;
		const due = this.now() + this.refreshMs;
		const previous = this.loaded;
		if (previous !== undefined && previous.text === text) {
			this.loaded = { ...previous, due };
			return previous.policy;
		}
		if (text === null) {
			this.log({ event: "allowlist-missing", key: ALLOWLIST_KEY, effect: "cross-origin requests refused" });
			return this.keep(refuseAll(`no allowlist document under the KV key "${ALLOWLIST_KEY}"`), text, due);
		}
		const result = compileAllowlist(text, { warnings: false });
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
			return this.keep(kept ?? refuseAll("the allowlist document in KV is invalid"), text, due);
		}
		const manifest = result.document.shards;
		if (manifest === undefined) return this.keep(result.policy, text, due);

		let source = previous?.source?.version === manifest.version ? previous.source : undefined;
		if (source === undefined) {
			try {
				source = { version: manifest.version, origins: await this.openShards(manifest) };
			} catch (error) {
				return this.readFailed(filterKey(manifest.version), error);
			}
		}
		return this.keep(result.policy.withSource(source.origins), text, due, source);
	}

	/** The shard source of `manifest`, once its membership filter is read. */
	private async openShards(manifest: ShardManifest): Promise<ShardedOrigins> {
		const key = filterKey(manifest.version);
		const bytes = await this.timed(this.kv.get(key, { type: "arrayBuffer", cacheTtl: KV_EDGE_CACHE_TTL_SECONDS }));
		if (bytes === null) throw new Error(`the membership filter "${key}" is missing`);
		const filter = BloomFilter.fromBytes(bytes);
		if (filter === undefined || filter.seed !== manifest.seed)
			throw new Error(`the membership filter "${key}" is not one written for this manifest`);
		const read = (shard: string) =>
			this.timed(this.kv.get(shard, { type: "text", cacheTtl: KV_EDGE_CACHE_TTL_SECONDS }));
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
		const policy = kept?.policy ?? refuseAll(`the allowlist could not be read from KV (${reason})`);
		const due = this.now() + this.retryDelay();
		if (!policy.document) this.failures++;
		this.loaded = { ...kept, policy, text: kept?.text, due };
		return policy;
	}

	private keep(policy: AnyCorsPolicy, text: string | null, due: number, source?: Loaded["source"]): AnyCorsPolicy {
		this.loaded = source === undefined ? { policy, text, due } : { policy, text, due, source };
		return policy;
	}
}
