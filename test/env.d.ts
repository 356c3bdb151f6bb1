// Types of the Worker-side test environment: `env` and `exports` from "cloudflare:workers"
// (and from "cloudflare:test") are typed from the gateway's own Env and entry module.
import type { Env as GatewayEnv } from "../src/worker/config.ts";

declare global {
	namespace Cloudflare {
		interface Env extends GatewayEnv {}
		interface GlobalProps {
			/** Types `exports.default` (the Worker under test, src/index.ts). */
			mainModule: typeof import("../src/index.ts");
		}
	}
}
