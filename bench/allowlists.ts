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
