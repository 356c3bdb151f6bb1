// The CORS layer's parts, built once per isolate from the allowlist's KV namespace and the
// settings: shared by the gateway and the kvCors middleware (src/hono), so that both read,
// decide, log and count exactly alike.
import { analyticsOf } from "./analytics.ts";
import type { GatewayConfig } from "./config.ts";
import type { CorsLayer } from "./cors/cors-layer.ts";
import type { Logger } from "./log.ts";
import { RefusalLog } from "./log.ts";
import { AllowlistStore } from "./store/allowlist-store.ts";

export type CorsSettings = Pick<GatewayConfig, "refreshMs" | "debug" | "refusalLogLimit" | "analytics">;

export function buildCorsLayer(kv: KVNamespace, settings: CorsSettings, log: Logger, now?: () => number): CorsLayer {
	return {
		store: new AllowlistStore(kv, { refreshMs: settings.refreshMs, log }),
		debug: settings.debug,
		log,
		refusals: new RefusalLog(log, { perKey: settings.refusalLogLimit, now }),
		reports: new RefusalLog(log, {
			perKey: settings.refusalLogLimit,
			now,
			event: "cors-report",
			counted: "reported",
		}),
		analytics: analyticsOf(settings.analytics, log),
	};
}
