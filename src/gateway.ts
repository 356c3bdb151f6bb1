// The Worker: a Hono app of three steps. Load the isolate's runtime (config and
// allowlist store, built once), apply the CORS decision, forward to the route's target.
import { Hono } from "hono";
import { readConfig } from "./config.ts";
import { ConfigError } from "./config-error.ts";
import type { Env } from "./env.ts";
import { routeFor } from "./forward/routes.ts";
import { forward, UpstreamError } from "./forward/upstream.ts";
import type { GatewayEnv, Runtime } from "./http/context.ts";
import { cors } from "./http/cors.ts";
import { AllowlistStore, type Logger } from "./store/allowlist-store.ts";

/** One JSON object per line, as `wrangler tail` shows it. */
export const jsonLog: Logger = (event) => console.log(JSON.stringify(event));

export interface GatewayOptions {
	log?: Logger;
}

export function createGateway(options: GatewayOptions = {}): Hono<GatewayEnv> {
	const log = options.log ?? jsonLog;
	// Built from the first request's env and kept for the isolate's life: vars and
	// bindings do not change without a new deployment, hence a new isolate.
	let runtime: Runtime | ConfigError | undefined;

	const app = new Hono<GatewayEnv>();

	app.use(async (c, next) => {
		runtime ??= buildRuntime(c.env, log);
		if (runtime instanceof ConfigError) {
			return c.text(`cors-gateway is misconfigured: ${runtime.message}\n`, 500);
		}
		c.set("runtime", runtime);
		c.set("url", new URL(c.req.url));
		await next();
	});

	app.use(cors);

	app.all("*", async (c) => {
		const { config } = c.var.runtime;
		const url = c.var.url;
		const route = routeFor(config.routes, url.pathname);
		if (route === undefined) return c.text("Not found: no route serves this path.\n", 404);
		try {
			return await forward(c.req.raw, url, route.target, { timeoutMs: config.upstreamTimeoutMs, assets: c.env.ASSETS });
		} catch (error) {
			if (!(error instanceof UpstreamError)) throw error;
			log({ event: "upstream-error", status: error.status, reason: error.message, path: url.pathname });
			return c.text(`${error.status === 504 ? "Gateway Timeout" : "Bad Gateway"}: ${error.message}\n`, error.status);
		}
	});

	app.onError((error, c) => {
		log({ event: "internal-error", reason: error instanceof Error ? error.message : String(error) });
		return c.text("Internal error in cors-gateway.\n", 500);
	});

	return app;
}

function buildRuntime(env: Env, log: Logger): Runtime | ConfigError {
	try {
		const config = readConfig(env);
		return { config, log, store: new AllowlistStore(env.ALLOWLIST, { refreshMs: config.refreshMs, log }) };
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		log({ event: "config-error", reason: error.message });
		return error;
	}
}
