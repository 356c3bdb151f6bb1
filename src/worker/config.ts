// The Worker's configuration, read once per isolate: its bindings and vars (named as in
// docs/SPEC.md), the route table, and the errors a wrong value raises. A bad value stops
// the gateway with a message naming the var and the fix, instead of guessing.

/** A var of the Worker is missing or wrong; the message names it and the fix. */
export class ConfigError extends Error {}

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

// --- vars ----------------------------------------------------------------------------
const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
const DEFAULT_REFRESH_SECONDS = 30;
/** Refusals logged in full per (reason, origin) per minute (REFUSAL_LOG_LIMIT). */
const DEFAULT_REFUSAL_LOG_LIMIT = 10;

export interface GatewayConfig {
	routes: RouteTable;
	upstreamTimeoutMs: number;
	refreshMs: number;
	debug: boolean;
	refusalLogLimit: number;
}

function positiveNumber(
	env: Env,
	name: "UPSTREAM_TIMEOUT_MS" | "ALLOWLIST_REFRESH_SECONDS" | "REFUSAL_LOG_LIMIT",
	fallback: number,
	min: number,
): number {
	const raw = env[name];
	if (raw === undefined || raw === "") return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min) {
		throw new ConfigError(
			`${name} must be a number of at least ${min}, got ${JSON.stringify(raw)}; remove it to use the default ${fallback}`,
		);
	}
	return value;
}

export function readConfig(env: Env): GatewayConfig {
	return {
		routes: parseRoutes(env.UPSTREAM_URL, env.ROUTES, env.ASSETS !== undefined),
		upstreamTimeoutMs: positiveNumber(env, "UPSTREAM_TIMEOUT_MS", DEFAULT_UPSTREAM_TIMEOUT_MS, 1),
		refreshMs: positiveNumber(env, "ALLOWLIST_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS, 0) * 1000,
		debug: env.CORS_DEBUG === "true",
		refusalLogLimit: Math.floor(positiveNumber(env, "REFUSAL_LOG_LIMIT", DEFAULT_REFUSAL_LOG_LIMIT, 0)),
	};
}

// --- the route table: which configured target serves a path. Targets are fixed when the
// table is read; a request only ever chooses among them, never names a host itself.
/**
 * `base` is the target's origin and base path, fixed at load: a request's path (which
 * always starts with "/") and query are appended to it, so the authority can only ever
 * be the configured one; `//evil.example` or `/\evil.example` in a path stay a path.
 */
export type Target = { kind: "url"; base: string } | { kind: "assets" };

export interface Route {
	/** Path prefix without a trailing slash ("" for the catch-all). */
	prefix: string;
	target: Target;
}

/** Longest prefix first, so the most specific route wins. */
export type RouteTable = readonly Route[];

const ASSETS_TARGET = "assets";

function parseTarget(value: unknown, where: string, hasAssets: boolean): Target {
	if (value === ASSETS_TARGET) {
		if (!hasAssets)
			throw new ConfigError(
				`${where} is "assets" but the Worker has no ASSETS binding (static assets are off by default); add to wrangler.toml [assets] with directory = "./public", binding = "ASSETS" and run_worker_first = true (README: Static assets)`,
			);
		return { kind: "assets" };
	}
	if (typeof value !== "string")
		throw new ConfigError(`${where} must be an http(s) URL or "assets", got ${JSON.stringify(value)}`);
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new ConfigError(
			`${where} is not an absolute URL: ${JSON.stringify(value)}; write it as "https://api.example.com"`,
		);
	}
	if (url.protocol !== "https:" && url.protocol !== "http:")
		throw new ConfigError(`${where} must use http or https, got ${JSON.stringify(value)}`);
	if (url.username || url.password || url.search || url.hash) {
		throw new ConfigError(`${where} must not carry user-info, a query or a fragment: ${JSON.stringify(value)}`);
	}
	return { kind: "url", base: url.origin + url.pathname.replace(/\/+$/, "") };
}

function normalizePrefix(prefix: string): string {
	if (!prefix.startsWith("/"))
		throw new ConfigError(`ROUTES key ${JSON.stringify(prefix)} must be a path starting with "/"`);
	if (/[?#\\]|\/\//.test(prefix))
		throw new ConfigError(`ROUTES key ${JSON.stringify(prefix)} must be a plain path (no "?", "#", "\\" or "//")`);
	return prefix.replace(/\/+$/, "");
}

export function parseRoutes(upstreamUrl: string | undefined, routes: unknown, hasAssets: boolean): RouteTable {
	const table: Route[] = [];
	if (upstreamUrl !== undefined && upstreamUrl !== "")
		table.push({ prefix: "", target: parseTarget(upstreamUrl, "UPSTREAM_URL", hasAssets) });
	if (routes !== undefined && routes !== "") {
		let object = routes;
		if (typeof routes === "string") {
			try {
				object = JSON.parse(routes);
			} catch {
				throw new ConfigError(
					`ROUTES is not valid JSON; write it as {"/api": "https://api.example.com", "/static": "assets"}`,
				);
			}
		}
		if (typeof object !== "object" || object === null || Array.isArray(object)) {
			throw new ConfigError(`ROUTES must be a JSON object of path prefix → upstream URL or "assets"`);
		}
		for (const [key, value] of Object.entries(object)) {
			const prefix = normalizePrefix(key);
			const target = parseTarget(value, `ROUTES[${JSON.stringify(key)}]`, hasAssets);
			const existing = table.findIndex((r) => r.prefix === prefix);
			if (existing >= 0 && prefix !== "") throw new ConfigError(`ROUTES names the prefix ${JSON.stringify(key)} twice`);
			if (existing >= 0) table[existing] = { prefix, target };
			else table.push({ prefix, target });
		}
	}
	if (table.length === 0) {
		throw new ConfigError(`no upstream configured: set UPSTREAM_URL (an absolute http(s) URL) or ROUTES`);
	}
	return table.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The route serving `path`: a prefix matches itself and what lies below it ("/api" → "/api", "/api/x", never "/apix"). */
export function routeFor(table: RouteTable, path: string): Route | undefined {
	for (const route of table) {
		const p = route.prefix;
		if (p === "" || path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47)) return route;
	}
	return undefined;
}
