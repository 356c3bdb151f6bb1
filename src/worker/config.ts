// The Worker's configuration, read once per isolate: its bindings and vars (named as in
// docs/SPEC.md), the route table, and the errors a wrong value raises. A bad value stops
// the gateway with a message naming the var and the fix, instead of guessing.

import { parseRouteKey, type RouteKey, RouteTable } from "../policy/index.ts";
import { type Bindings, parseTarget, type Target } from "./targets.ts";

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
	/**
	 * Route table: route key (`/api`, `assets.example.com/`) → upstream URL, `"assets"` or
	 * `"service:NAME"`; a JSON object or its text.
	 */
	ROUTES?: string | Record<string, unknown>;
	/** The Worker's static assets (wrangler.toml `[assets]`), used by `"assets"` routes. */
	ASSETS?: Fetcher;
	/**
	 * A Workers Analytics Engine dataset (wrangler.toml `[[analytics_engine_datasets]]`):
	 * when bound, one data point per refusal and per report-only difference.
	 */
	CORS_ANALYTICS?: AnalyticsEngineDataset;
	// Service bindings (wrangler.toml `[[services]]`) have the names operators give them:
	// `"service:NAME"` routes name them, and readConfig looks each one up when it loads.
}

// --- vars ----------------------------------------------------------------------------
const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
export const DEFAULT_REFRESH_SECONDS = 30;
/** Refusals logged in full per (reason, origin) per minute (REFUSAL_LOG_LIMIT). */
export const DEFAULT_REFUSAL_LOG_LIMIT = 10;

export interface GatewayConfig {
	routes: Routes;
	upstreamTimeoutMs: number;
	refreshMs: number;
	debug: boolean;
	refusalLogLimit: number;
	analytics?: AnalyticsEngineDataset;
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
		// Env has no index signature: a service binding's name is only known from ROUTES.
		routes: parseRoutes(env.UPSTREAM_URL, env.ROUTES, env as unknown as Bindings),
		upstreamTimeoutMs: positiveNumber(env, "UPSTREAM_TIMEOUT_MS", DEFAULT_UPSTREAM_TIMEOUT_MS, 1),
		refreshMs: positiveNumber(env, "ALLOWLIST_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS, 0) * 1000,
		debug: env.CORS_DEBUG === "true",
		refusalLogLimit: Math.floor(positiveNumber(env, "REFUSAL_LOG_LIMIT", DEFAULT_REFUSAL_LOG_LIMIT, 0)),
		...(env.CORS_ANALYTICS === undefined ? {} : { analytics: analyticsDataset(env.CORS_ANALYTICS) }),
	};
}

/**
 * A binding named for an Analytics Engine dataset (CORS_ANALYTICS, or the kvCors middleware's
 * `analytics`) bound to a var, a KV namespace or anything else that cannot take data points
 * is a mistake to name.
 */
export function analyticsDataset(binding: unknown, name = "CORS_ANALYTICS"): AnalyticsEngineDataset {
	if (typeof (binding as Partial<AnalyticsEngineDataset> | null)?.writeDataPoint === "function")
		return binding as AnalyticsEngineDataset;
	throw new ConfigError(
		`${name} must be a Workers Analytics Engine dataset: bind one with [[analytics_engine_datasets]] binding = "${name}", or remove what is bound under that name`,
	);
}

/** The allowlist's namespace under `name`; anything else is named, never read as an empty allowlist. */
export function kvNamespace(binding: unknown, name: string): KVNamespace {
	if (typeof (binding as Partial<KVNamespace> | null)?.get === "function") return binding as KVNamespace;
	const what =
		binding === undefined ? `no binding ${JSON.stringify(name)}` : `${JSON.stringify(name)} is not a KV namespace`;
	throw new ConfigError(
		`${what}: bind the allowlist's namespace with [[kv_namespaces]] binding = ${JSON.stringify(name)} in wrangler.toml`,
	);
}

// --- the route table: which configured target serves a path. Targets are fixed when the
// table is read; a request only ever chooses among them, never names a host itself.
/** Route key (`/api`, `assets.example.com/`) → target: the core's lookup, as for the document's routes. */
export type Routes = RouteTable<Target>;

/** The catch-all key, which UPSTREAM_URL stands for. */
const ROOT = parseRouteKey("/") as RouteKey;

function target(value: unknown, where: string, bindings: Bindings): Target {
	const parsed = parseTarget(value, bindings);
	if ("problem" in parsed) throw new ConfigError(`${where} ${parsed.problem}`);
	return parsed;
}

export function parseRoutes(upstreamUrl: string | undefined, routes: unknown, bindings: Bindings): Routes {
	// Key text → key and target; "/" is the catch-all, which UPSTREAM_URL stands for.
	const table = new Map<string, [RouteKey, Target]>();
	if (upstreamUrl !== undefined && upstreamUrl !== "")
		table.set("/", [ROOT, target(upstreamUrl, "UPSTREAM_URL", bindings)]);
	if (routes !== undefined && routes !== "") {
		let object = routes;
		if (typeof routes === "string") {
			try {
				object = JSON.parse(routes);
			} catch {
				throw new ConfigError(
					`ROUTES is not valid JSON; write it as {"/api": "https://api.example.com", "/static": "assets", "/auth": "service:AUTH"}`,
				);
			}
		}
		if (typeof object !== "object" || object === null || Array.isArray(object)) {
			throw new ConfigError(`ROUTES must be a JSON object of route key → upstream URL, "assets" or "service:NAME"`);
		}
		const named = new Set<string>();
		for (const [raw, value] of Object.entries(object)) {
			const key = parseRouteKey(raw);
			if ("rule" in key)
				throw new ConfigError(`ROUTES key ${JSON.stringify(raw)}: ${key.message}${key.fix ? `; ${key.fix}` : ""}`);
			if (named.has(key.text)) throw new ConfigError(`ROUTES names the route ${JSON.stringify(key.text)} twice`);
			named.add(key.text);
			// A "/" key replaces UPSTREAM_URL.
			table.set(key.text, [key, target(value, `ROUTES[${JSON.stringify(raw)}]`, bindings)]);
		}
	}
	if (table.size === 0) {
		throw new ConfigError(`no upstream configured: set UPSTREAM_URL (an absolute http(s) URL) or ROUTES`);
	}
	return new RouteTable(table.values());
}
