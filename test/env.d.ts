// Types of the Worker-side test environment: `env` and `exports` from "cloudflare:workers"
// (and from "cloudflare:test") are typed from the gateway's own Env and entry module.
import type { Env as GatewayEnv } from "../src/worker/config.ts";

declare global {
	namespace Cloudflare {
		interface Env extends GatewayEnv {
			/** The test service Worker that `service:ECHO_SERVICE` routes call (vitest.config.ts). */
			ECHO_SERVICE: Fetcher;
			/** The same Worker bound under a name no route uses: it must never be called. */
			DECOY_SERVICE: Fetcher;
		}
		interface GlobalProps {
			/** Types `exports.default` (the Worker under test, src/index.ts). */
			mainModule: typeof import("../src/index.ts");
		}
	}
}
