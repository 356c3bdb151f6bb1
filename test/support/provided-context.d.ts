// Keys that test/support/global-setup.ts provides to the `worker` project.
// Read them with `inject("upstreamUrl")` from "vitest" (in tests) or `ctx.inject(...)` in
// the cloudflareTest() options callback (vitest.config.ts).
import "vitest";

declare module "vitest" {
	export interface ProvidedContext {
		/** Base URL (no trailing slash) of the scriptable upstream; also the UPSTREAM_URL binding. */
		upstreamUrl: string;
		/** A second, identical upstream that no configuration points at: it must never be reached. */
		decoyUrl: string;
		/** An http://127.0.0.1:<port> URL where nothing listens (connection refused). */
		unreachableUrl: string;
	}
}
