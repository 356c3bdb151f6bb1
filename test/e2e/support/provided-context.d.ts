// What test/e2e/support/global-setup.ts provides to the e2e test files (`inject("e2e")`).
import "vitest";

declare module "vitest" {
	export interface ProvidedContext {
		e2e: {
			/** Playwright endpoint of the Chromium that global setup launched. */
			browserWsEndpoint: string;
			/** wrangler dev's local persistence directory (its KV holds the allowlist). */
			persistDir: string;
			/** File receiving wrangler dev's output, including its request log. */
			gatewayLog: string;
			/** Base URL of the upstream, for its /__requests record. */
			upstreamUrl: string;
			/** ALLOWLIST_REFRESH_SECONDS the gateway runs with. */
			refreshSeconds: number;
		};
	}
}
