// What the gateway's middleware shares with the handlers of one request.
import type { GatewayConfig } from "../config.ts";
import type { Env } from "../env.ts";
import type { AllowlistStore, Logger } from "../store/allowlist-store.ts";

export interface Runtime {
	config: GatewayConfig;
	store: AllowlistStore;
	log: Logger;
}

export interface GatewayEnv {
	Bindings: Env;
	Variables: { runtime: Runtime; url: URL };
}
