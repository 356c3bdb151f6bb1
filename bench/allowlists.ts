// The allowlist documents the benches load: `size` origins, four exact entries for each
// subdomain wildcard, shaped like a platform's customer domains, and the request origins
// that are hardest for a list scan: the last exact entry, a host under the last wildcard,
// and an origin listed nowhere.

export interface BenchAllowlist {
	size: number;
	/** The document as stored in KV. */
	text: string;
	/** An exact entry, the last one in the list. */
	lateExact: string;
	/** A host under the last wildcard entry (the list's last entry). */
	lateWildcard: string;
	/** Listed nowhere, shaped like the entries. */
	miss: string;
}

export const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"];
export const HEADERS = ["content-type", "authorization", "x-request-id", "x-tenant"];

function entry(i: number): string {
	return i % 5 === 4 ? `https://*.customer-${i}.net` : `https://app.customer-${i}.com`;
}

export function benchAllowlist(size: number): BenchAllowlist {
	const origins = Array.from({ length: size }, (_, i) => entry(i));
	let lastExact = size - 1;
	while (origins[lastExact]?.includes("*")) lastExact--;
	let lastWildcard = size - 1;
	while (lastWildcard >= 0 && !origins[lastWildcard]?.includes("*")) lastWildcard--;
	if (lastExact < 0 || lastWildcard < 0)
		throw new Error(`an allowlist of ${size} entries has no exact or no wildcard entry`);
	const text = JSON.stringify({
		origins,
		methods: METHODS,
		headers: HEADERS,
		exposeHeaders: ["x-request-id"],
		maxAge: 600,
	});
	return {
		size,
		text,
		lateExact: origins[lastExact] as string,
		lateWildcard: `https://shop.customer-${lastWildcard}.net`,
		miss: `https://app.customer-${size}.com`,
	};
}
