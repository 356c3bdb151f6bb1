// The kvCors middleware (src/hono) in front of an app whose own handler answers with the
// real upstream's answer (a fetch's, headers immutable), so the gateway's policy tables
// run through it unchanged: the same local KV allowlist, requests and upstream record.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { inject } from "vitest";
import { type KvCorsOptions, kvCors } from "../../src/hono/kv-cors.ts";
import type { Env } from "../../src/worker/config.ts";
import { type TestGateway, testApp, testGateway } from "./gateway.ts";

/** A new app with kvCors (new isolate state) over the test env, with `overrides` on top of it. */
export function testMiddleware(
	overrides: Record<string, unknown> = {},
	options: Omit<KvCorsOptions, "log"> = {},
): TestGateway {
	const logs: Record<string, unknown>[] = [];
	const app = new Hono();
	// The worker project's ALLOWLIST_REFRESH_SECONDS, which the gateway reads from env.
	app.use("*", kvCors({ refreshSeconds: 1, ...options, log: (event) => logs.push(event) }));
	app.all("*", (c) => {
		const url = new URL(c.req.url);
		return fetch(new Request(`${inject("upstreamUrl")}${url.pathname}${url.search}`, c.req.raw));
	});
	return testApp(app, { ...(env as Env), ...overrides }, logs);
}

/** The two ways to run the CORS layer, for the tables both must pass (docs/SPEC.md, Behaviour). */
export const ENTRY_POINTS = [
	{ name: "gateway", testGateway: () => testGateway() },
	{ name: "kvCors middleware", testGateway: () => testMiddleware() },
];
