// Every port the end-to-end suite uses (the team's range for it is 18700-18799).
export const PORTS = {
	/** wrangler dev: the gateway. */
	gateway: 18700,
	/** wrangler dev's DevTools inspector (never the 9229 default). */
	inspector: 18701,
	/** The real upstream (tools/upstream.ts, the scripted upstream). */
	upstream: 18702,
	/** The page server: every page origin of the suite, by host name. */
	page: 18703,
	/** The same page server on a second port, for same-host-other-port origins. */
	pageAlt: 18704,
	/** Nothing listens here: the route that makes the gateway answer 502. */
	unreachable: 18705,
} as const;
