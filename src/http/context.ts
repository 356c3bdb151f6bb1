// What the gateway builds once per isolate and hands to every request.
import type { GatewayConfig } from "../config.ts";
import type { ForwardOptions } from "../forward/upstream.ts";
import type { Logger } from "../log/logger.ts";
import type { RefusalLog } from "../log/refusal-log.ts";
import type { AllowlistStore } from "../store/allowlist-store.ts";

export interface Runtime {
	config: GatewayConfig;
	store: AllowlistStore;
	log: Logger;
	refusals: RefusalLog;
	forwarding: ForwardOptions;
}
