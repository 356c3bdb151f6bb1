// Reads the Worker's vars once per isolate into a checked configuration. A bad value
// stops the gateway with a message naming the var and the fix, instead of guessing.
import { ConfigError } from "./config-error.ts";
import type { Env } from "./env.ts";
import { parseRoutes, type RouteTable } from "./forward/routes.ts";
import { DEFAULT_REFUSALS_LOGGED_PER_KEY } from "./log/refusal-log.ts";

const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
const DEFAULT_REFRESH_SECONDS = 30;

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
		refusalLogLimit: Math.floor(positiveNumber(env, "REFUSAL_LOG_LIMIT", DEFAULT_REFUSALS_LOGGED_PER_KEY, 0)),
	};
}
