// The Worker: a Hono app. Load the isolate's runtime (config and allowlist store, built
// once), then the CORS layer decides, and forwards to the route's target when it may.
import { Hono } from "hono";
import { ConfigError, type Env, type GatewayConfig, readConfig } from "./config.ts";
import { type CorsLayer, gatewayAnswer, withCors } from "./cors/cors-layer.ts";
import { buildCorsLayer } from "./cors-runtime.ts";
import { type ForwardOptions, forward, UpstreamError } from "./forward/upstream.ts";
import { errorMessage, jsonLog, type Logger } from "./log.ts";

export interface GatewayOptions {
	log?: Logger;
	/** The clock of the refusal log's windows (tests). */
	now?: () => number;
}

/** What the gateway builds once per isolate and hands to every request. */
interface Runtime {
	config: GatewayConfig;
	cors: CorsLayer;
	forwarding: ForwardOptions;
}

export function createGateway(options: GatewayOptions = {}): Hono<{ Bindings: Env }> {
	const log = options.log ?? jsonLog;
	// Built from the first request's env and kept for the isolate's life: vars and
	// bindings do not change without a new deployment, hence a new isolate.
	let runtime: Runtime | ConfigError | undefined;

	const app = new Hono<{ Bindings: Env }>();

	// One handler rather than a chain of middleware: Hono then calls it directly, and the
	// request's URL is parsed once for the CORS decision and the forward.
	app.all("*", async (c) => {
		runtime ??= buildRuntime(c.env, log, options.now);
		if (runtime instanceof ConfigError) {
			return c.text(`cors-gateway is misconfigured: ${runtime.message}\n`, 500);
		}
		const { config, forwarding } = runtime;
		const request = c.req.raw;
		const url = new URL(request.url);
		return withCors(
			request,
			url,
			runtime.cors,
			(p) => c.executionCtx.waitUntil(p),
			async () => {
				const target = config.routes.lookup(url.hostname, url.pathname);
				if (target === undefined) return gatewayAnswer(c.text("Not found: no route serves this path.\n", 404));
				try {
					return await forward(request, url, target, forwarding);
				} catch (error) {
					if (!(error instanceof UpstreamError)) throw error;
					log({ event: "upstream-error", status: error.status, reason: error.reason, path: url.pathname });
					return gatewayAnswer(
						c.text(`${error.status === 504 ? "Gateway Timeout" : "Bad Gateway"}: ${error.message}\n`, error.status),
					);
				}
			},
		);
	});

	app.onError((error, c) => {
		log({ event: "internal-error", reason: errorMessage(error) });
		return c.text("Internal error in cors-gateway.\n", 500);
	});

	return app;
}

function buildRuntime(env: Env, log: Logger, now?: () => number): Runtime | ConfigError {
	try {
		const config = readConfig(env);
		return {
			config,
			cors: buildCorsLayer(env.ALLOWLIST, config, log, now),
			forwarding: { timeoutMs: config.upstreamTimeoutMs },
		};
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		log({ event: "config-error", reason: error.message });
		return error;
	}
}
