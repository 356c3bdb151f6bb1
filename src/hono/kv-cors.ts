// `cors-gateway/hono`: the gateway's CORS layer as a Hono middleware, for an app that
// answers requests itself instead of forwarding them. The same allowlist document under
// the same KV key, the same decisions, refusals, log lines and analytics: withCors and
// its parts (src/worker), with the app's own answer where the gateway forwards.
import type { MiddlewareHandler } from "hono";
import {
	analyticsDataset,
	ConfigError,
	DEFAULT_REFRESH_SECONDS,
	DEFAULT_REFUSAL_LOG_LIMIT,
	kvNamespace,
} from "../worker/config.ts";
import { type CorsLayer, withCors } from "../worker/cors/cors-layer.ts";
import { buildCorsLayer } from "../worker/cors-runtime.ts";
import { jsonLog, type Logger } from "../worker/log.ts";

export type { Logger } from "../worker/log.ts";

export interface KvCorsOptions {
	/** The KV namespace binding that holds the allowlist (default `"ALLOWLIST"`, as the gateway's and the CLI's). */
	binding?: string;
	/** Longest time in seconds an isolate serves a loaded allowlist before re-reading KV (default 30). */
	refreshSeconds?: number;
	/** Name each refusal's reason in a `cors-gateway-reason` response header (default false). */
	debug?: boolean;
	/** Where the JSON log events go (default: one `console.log` line each, as the gateway writes them). */
	log?: Logger;
	/** A Workers Analytics Engine dataset binding: one data point per refusal and per report-only difference. */
	analytics?: string;
}

const OPTION_TYPES: Record<keyof KvCorsOptions, string> = {
	binding: "string",
	refreshSeconds: "number",
	debug: "boolean",
	log: "function",
	analytics: "string",
};

/**
 * Enforces the KV allowlist on every request it sees: answers preflights (204) and
 * refusals (403) itself, and sets the CORS headers on the app's answer to the rest. A
 * missing or wrong binding answers 500 naming it: never an open door.
 */
export function kvCors(options: KvCorsOptions = {}): MiddlewareHandler {
	check(options);
	const settings: Settings = {
		binding: options.binding ?? "ALLOWLIST",
		refreshSeconds: options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS,
		debug: options.debug ?? false,
		log: options.log ?? jsonLog,
		analytics: options.analytics,
	};
	// Built from the first request's env and kept for the isolate's life, as the gateway's
	// runtime is: bindings do not change without a new deployment.
	let layer: CorsLayer | ConfigError | undefined;

	return async (c, next) => {
		layer ??= build(c.env ?? {}, settings);
		if (layer instanceof ConfigError) return c.text(`cors-gateway is misconfigured: ${layer.message}\n`, 500);
		const request = c.req.raw;
		return withCors(
			request,
			new URL(request.url),
			layer,
			(p) => c.executionCtx.waitUntil(p),
			async () => {
				await next();
				// The app's answer may be a fetch's, whose headers cannot change: the layer sets
				// them on a copy, which Hono's setter makes the response.
				c.res = new Response(c.res.body, c.res);
				return c.res;
			},
		);
	};
}

/** Wrong options are the code's mistake: thrown where the app is built, naming the option. */
function check(options: KvCorsOptions): void {
	for (const [name, value] of Object.entries(options)) {
		const type = Object.hasOwn(OPTION_TYPES, name) ? OPTION_TYPES[name as keyof KvCorsOptions] : undefined;
		if (type === undefined)
			throw new TypeError(`kvCors: unknown option "${name}"; the options are ${Object.keys(OPTION_TYPES).join(", ")}`);
		if (value !== undefined && typeof value !== type)
			throw new TypeError(`kvCors: ${name} must be a ${type}, got ${JSON.stringify(value) ?? typeof value}`);
	}
	const { binding, refreshSeconds, analytics } = options;
	if (binding === "" || analytics === "") throw new TypeError("kvCors: a binding name cannot be empty");
	if (refreshSeconds !== undefined && !(Number.isFinite(refreshSeconds) && refreshSeconds >= 0))
		throw new TypeError(`kvCors: refreshSeconds must be a number of at least 0, got ${refreshSeconds}`);
}

/** The options with their defaults. */
type Settings = Required<Omit<KvCorsOptions, "analytics">> & Pick<KvCorsOptions, "analytics">;

function build(
	env: Record<string, unknown>,
	{ binding, refreshSeconds, debug, log, analytics }: Settings,
): CorsLayer | ConfigError {
	try {
		const kv = kvNamespace(env[binding], binding);
		const settings = {
			refreshMs: refreshSeconds * 1000,
			debug,
			refusalLogLimit: DEFAULT_REFUSAL_LOG_LIMIT,
			...(analytics === undefined ? {} : { analytics: analyticsDataset(env[analytics], analytics) }),
		};
		return buildCorsLayer(kv, settings, log);
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		log({ event: "config-error", reason: error.message });
		return error;
	}
}
