// Keeps the compiled policy in the isolate and refreshes it from KV in the background.
//
// workerd forbids a request from awaiting I/O that another request started, so requests
// share only finished values (the compiled policy), never a pending KV read: concurrent
// first requests of a cold isolate each read KV once, and later refreshes run in one
// request's waitUntil while every request keeps serving the policy already loaded.
import { CorsPolicy, formatProblem, validateAllowlistText } from "../policy/index.ts";

export const ALLOWLIST_KEY = "allowlist";
/** A KV read that has not answered by then counts as failed. */
export const KV_READ_TIMEOUT_MS = 5_000;
/** After a failed read, when to try again (sooner than a full refresh interval). */
export const RETRY_AFTER_FAILURE_MS = 5_000;

export type Logger = (event: Record<string, unknown>) => void;

interface Loaded {
	policy: CorsPolicy;
	/** The text it was compiled from (null: no document under the key), to skip recompiling an unchanged one. */
	text: string | null | undefined;
	/** When the next refresh is due, in ms since the epoch. */
	due: number;
}

export interface StoreOptions {
	refreshMs: number;
	log: Logger;
	readTimeoutMs?: number;
	now?: () => number;
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

	constructor(kv: KVNamespace, options: StoreOptions) {
		this.kv = kv;
		this.refreshMs = options.refreshMs;
		this.log = options.log;
		this.readTimeoutMs = options.readTimeoutMs ?? KV_READ_TIMEOUT_MS;
		this.now = options.now ?? Date.now;
	}

	/**
	 * The policy to decide this request with. Only an isolate's first requests wait for
	 * KV; afterwards a due refresh is handed to `waitUntil` and the loaded policy served.
	 */
	policy(waitUntil: (promise: Promise<unknown>) => void): CorsPolicy | Promise<CorsPolicy> {
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
	async load(): Promise<CorsPolicy> {
		let text: string | null;
		try {
			text = await withTimeout(this.kv.get(ALLOWLIST_KEY), this.readTimeoutMs);
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			const kept = this.loaded?.policy;
			this.log({
				event: "allowlist-read-failed",
				key: ALLOWLIST_KEY,
				reason,
				keeping: kept?.document ? "last valid allowlist" : "nothing: cross-origin requests refused",
			});
			const policy = kept ?? new CorsPolicy({ missing: `the allowlist could not be read from KV (${reason})` });
			this.loaded = { policy, text: this.loaded?.text, due: this.now() + RETRY_AFTER_FAILURE_MS };
			return policy;
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
		const result = validateAllowlistText(text);
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
		return this.keep(new CorsPolicy(result), text, due);
	}

	private keep(policy: CorsPolicy, text: string | null, due: number): CorsPolicy {
		this.loaded = { policy, text, due };
		return policy;
	}
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | null = null;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`KV read timed out after ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => timer !== null && clearTimeout(timer));
}
