// The origins pages are served from, and the gateway's own. Chromium resolves every
// *.localhost name to loopback by itself, so one page server on 127.0.0.1 is reachable as
// many distinct origins.
import { PORTS } from "./ports.ts";

const page = (host: string, port: number = PORTS.page): string => `http://${host}:${port}`;

/**
 * The gateway, addressed as a sibling of the app: same site as `app.localhost` (so its
 * cookies go with `credentials: "include"`; Playwright's contexts are incognito-like and
 * block third-party cookies), yet a different origin, so every call is cross-origin.
 */
export const GATEWAY = `http://api.app.localhost:${PORTS.gateway}`;

export const ORIGIN = {
	/** Listed exactly. */
	app: page("app.localhost"),
	/** Covered by the wildcard entry `http://*.tenant.localhost:<page port>`. */
	tenantA: page("a.tenant.localhost"),
	tenantB: page("b.tenant.localhost"),
	tenantDeep: page("x.y.tenant.localhost"),
	/** Never listed. */
	evil: page("evil.localhost"),
	partner: page("partner.localhost"),
	/** Look-alikes: apex of the wildcard, other port, subdomain of an exact entry, prefix and suffix tricks. */
	tenantApex: page("tenant.localhost"),
	tenantOtherPort: page("a.tenant.localhost", PORTS.pageAlt),
	appOtherPort: page("app.localhost", PORTS.pageAlt),
	appSub: page("sub.app.localhost"),
	appPrefixLookalike: page("app.localhost.evil.localhost"),
	tenantSuffixLookalike: page("eviltenant.localhost"),
	tenantPrefixLookalike: page("a.tenant.localhost.evil.localhost"),
	/** A page served with a CSP sandbox: its origin is opaque, its requests say `Origin: null`. */
	sandboxed: page("sandboxed.app.localhost"),
} as const;

export const TENANT_WILDCARD = `http://*.tenant.localhost:${PORTS.page}`;
