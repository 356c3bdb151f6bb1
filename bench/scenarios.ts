// The requests the bench sends, and what each compared Worker must answer to them.
import { type Probes, ROUTE_APP } from "./allowlists.ts";

export type Contender = "gateway" | "bare" | "common";
export const CONTENDERS: readonly Contender[] = ["gateway", "bare", "common"];

export interface Scenario {
	name: string;
	method: string;
	headers(list: Probes): Record<string, string>;
	/** The status each Worker answers with (the bare forwarder forwards everything: 200). */
	status: Record<Contender, number>;
	/** Whether the gateway and the common version send it upstream. */
	forwarded: boolean;
	/** The Access-Control-Allow-Origin the gateway answers with (null: none). */
	allowOrigin(list: Probes): string | null;
}

export const PREFLIGHT_HEADERS = "content-type, authorization, x-tenant";

export const SCENARIOS: readonly Scenario[] = [
	{
		name: "allowed GET (last exact entry), forwarded",
		method: "GET",
		headers: (l) => ({ origin: l.lateExact }),
		status: { gateway: 200, bare: 200, common: 200 },
		forwarded: true,
		allowOrigin: (l) => l.lateExact,
	},
	{
		name: "approved preflight (last wildcard, 3 headers)",
		method: "OPTIONS",
		headers: (l) => ({
			origin: l.lateWildcard,
			"access-control-request-method": "PUT",
			"access-control-request-headers": PREFLIGHT_HEADERS,
		}),
		status: { gateway: 204, bare: 200, common: 204 },
		forwarded: false,
		allowOrigin: (l) => l.lateWildcard,
	},
	{
		name: "refused origin (listed nowhere)",
		method: "GET",
		headers: (l) => ({ origin: l.miss }),
		status: { gateway: 403, bare: 200, common: 403 },
		forwarded: false,
		allowOrigin: () => null,
	},
	{
		name: "no Origin, forwarded",
		method: "GET",
		headers: () => ({}),
		status: { gateway: 200, bare: 200, common: 200 },
		forwarded: true,
		allowOrigin: () => null,
	},
];

/** Against the routed documents (bench/allowlists.ts routedDocument), under their deepest key. */
export const ROUTED_GET: Scenario = {
	name: "allowed GET under the deepest route, forwarded",
	method: "GET",
	headers: () => ({ origin: ROUTE_APP }),
	status: { gateway: 200, bare: 200, common: 200 },
	forwarded: true,
	allowOrigin: () => ROUTE_APP,
};
