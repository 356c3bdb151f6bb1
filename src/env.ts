// The Worker's bindings and vars, named as in docs/SPEC.md.
export interface Env {
	ALLOWLIST: KVNamespace;
	/** Where approved requests go: an absolute http(s) URL. */
	UPSTREAM_URL?: string;
	/** Upstream timeout in milliseconds (default in config.ts), then `504`. */
	UPSTREAM_TIMEOUT_MS?: string;
	/** Longest time in seconds an isolate serves a loaded allowlist before re-reading KV. */
	ALLOWLIST_REFRESH_SECONDS?: string;
	/** `"true"` names each refusal's reason in a `cors-gateway-reason` header. */
	CORS_DEBUG?: string;
	/** Refusals an isolate logs in full per (reason, origin) per minute; the rest are summarized. */
	REFUSAL_LOG_LIMIT?: string;
	/** Route table: path prefix → upstream URL or `"assets"`; a JSON object or its text. */
	ROUTES?: string | Record<string, unknown>;
	/** The Worker's static assets (wrangler.toml `[assets]`), used by `"assets"` routes. */
	ASSETS?: Fetcher;
}
