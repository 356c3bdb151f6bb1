// The allowlist documents the cases run against, as they are stored in KV.
import type { RouteSettings } from "../../../src/policy/index.ts";
import { ORIGIN, TENANT_WILDCARD } from "./origins.ts";

export interface AllowlistDocument {
	origins: string[];
	credentials?: boolean;
	methods?: string[];
	headers?: string[];
	exposeHeaders?: string[];
	maxAge?: number;
	routes?: Record<string, RouteSettings>;
}

/** What most cases run against: one exact origin, one wildcard, no credentials. */
export const BASE: AllowlistDocument = {
	origins: [ORIGIN.app, TENANT_WILDCARD],
	credentials: false,
	methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
	headers: ["x-api-version", "x-trace-id"],
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};

/** BASE with `authorization` listed. */
export const WITH_AUTHORIZATION: AllowlistDocument = { ...BASE, headers: [...(BASE.headers ?? []), "authorization"] };

/** BASE with credentials on. */
export const WITH_CREDENTIALS: AllowlistDocument = { ...BASE, credentials: true };

/** BASE whose preflights a browser may cache for one second only. */
export const SHORT_MAX_AGE: AllowlistDocument = { ...BASE, maxAge: 1 };

/** Any origin: `"*"`, which admits every serialized origin but not the opaque `null`. */
export const ANY_ORIGIN: AllowlistDocument = { origins: ["*"], exposeHeaders: ["x-request-id"] };

/** ANY_ORIGIN with the opaque origin listed literally. */
export const ANY_ORIGIN_AND_NULL: AllowlistDocument = { ...ANY_ORIGIN, origins: ["*", "null"] };

/**
 * BASE with two routes: fonts any page may read, and an API only partner.localhost may
 * call, with credentials. The /api route's origins replace the top level's, so app.localhost
 * is refused there.
 */
export const ROUTED: AllowlistDocument = {
	...BASE,
	routes: {
		"/fonts": { origins: ["*"] },
		"/api": { origins: [ORIGIN.partner], credentials: true },
	},
};

/**
 * BASE, with "/legacy" in report-only mode: an API that answers CORS itself, in front of
 * which the gateway only reports where BASE would decide otherwise.
 */
export const REPORT_ONLY_ROUTE: AllowlistDocument = { ...BASE, routes: { "/legacy": { mode: "report-only" } } };
