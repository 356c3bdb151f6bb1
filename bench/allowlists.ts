// The allowlist documents the benches load: `size` origins, four exact entries for each
// subdomain wildcard, shaped like a platform's customer domains, and the request origins
// that are hardest for a list scan: the last exact entry, a host under the last wildcard,
// and an origin listed nowhere.

/** The request origins a bench sends, chosen from a list's entries. */
export interface Probes {
	/** An exact entry, the last one in the list. */
	lateExact: string;
	/** A host under the last wildcard entry. */
	lateWildcard: string;
	/** Listed nowhere, shaped like the entries. */
	miss: string;
}

export interface BenchAllowlist extends Probes {
	size: number;
	/** The document as stored in KV. */
	text: string;
}

export const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"];
export const HEADERS = ["content-type", "authorization", "x-request-id", "x-tenant"];

/** The settings of every bench document; only the origins differ. */
export const SETTINGS = {
	methods: METHODS,
	headers: HEADERS,
	exposeHeaders: ["x-request-id"],
	maxAge: 600,
};

function entry(i: number): string {
	return i % 5 === 4 ? `https://*.customer-${i}.net` : `https://app.customer-${i}.com`;
}

/** The entries of a `size`-entry bench list, canonical as the validator writes them. */
export function benchOrigins(size: number): string[] {
	return Array.from({ length: size }, (_, i) => entry(i));
}

/** The last exact entry, a host under the last wildcard and an origin listed nowhere. */
export function benchProbes(origins: readonly string[]): Probes {
	const size = origins.length;
	let lastExact = size - 1;
	while (origins[lastExact]?.includes("*")) lastExact--;
	let lastWildcard = size - 1;
	while (lastWildcard >= 0 && !origins[lastWildcard]?.includes("*")) lastWildcard--;
	if (lastExact < 0 || lastWildcard < 0)
		throw new Error(`an allowlist of ${size} entries has no exact or no wildcard entry`);
	return {
		lateExact: origins[lastExact] as string,
		lateWildcard: `https://shop.customer-${lastWildcard}.net`,
		miss: `https://app.customer-${size}.com`,
	};
}

export function benchAllowlist(size: number): BenchAllowlist {
	const origins = benchOrigins(size);
	return { size, text: JSON.stringify({ origins, ...SETTINGS }), ...benchProbes(origins) };
}

/**
 * Origin patterns (docs/SPEC.md "Origin patterns") mixed into a list for bench:core: any
 * port, a wildcard on any port, and three globs under one parent, all kept inline (a
 * sharded document keeps them beside its manifest).
 */
export const PATTERNS = [
	"http://localhost:*",
	"https://*.dev.customer-0.net:*",
	"https://pr-*.preview.customer-0.net",
	"https://feat-*.preview.customer-0.net",
	"https://*--app.preview.customer-0.net",
];

/** Requests the patterns decide: two admitted by one, and one under the globs' parent that none admits. */
export const PATTERN_PROBES = {
	anyPort: "http://localhost:5173",
	glob: "https://pr-4242.preview.customer-0.net",
	globMiss: "https://qa-1.preview.customer-0.net",
};

/** A `size`-entry bench list with PATTERNS appended. */
export function patternAllowlist(size: number): BenchAllowlist {
	const origins = benchOrigins(size);
	return { size, text: JSON.stringify({ origins: [...origins, ...PATTERNS], ...SETTINGS }), ...benchProbes(origins) };
}

/** The one origin of the routed documents: the top level's and the deepest route's. */
export const ROUTE_APP = "https://app.example.com";
/** The deepest key of every routed document: a request under it walks every candidate prefix. */
export const DEEP_KEY = "/deep/a/b/c";
/** A path under DEEP_KEY, so that its route decides. */
export const DEEP_PATH = `${DEEP_KEY}/file.js`;

/**
 * A document with `count` routes (0: none): DEEP_KEY, then shallower keys, a tenth of them
 * for a host when `hosts` is set. Only DEEP_KEY sets a maxAge (60), so a preflight's answer
 * shows whether it was the route that decided.
 */
export function routedDocument({ count, hosts }: { count: number; hosts: boolean }): object {
	const routes: Record<string, object> = {};
	if (count > 0) routes[DEEP_KEY] = { origins: [ROUTE_APP], maxAge: 60 };
	for (let i = 1; i < count; i++) {
		const key =
			hosts && i % 10 === 0 ? `h${i}.example.com/r${i}` : `/r${i}${i % 3 === 0 ? "/x" : ""}${i % 5 === 0 ? "/y" : ""}`;
		routes[key] = { origins: [`https://r${i}.example.com`] };
	}
	return { origins: [ROUTE_APP], ...(count > 0 ? { routes } : {}) };
}
