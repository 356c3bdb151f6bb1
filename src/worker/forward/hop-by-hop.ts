// What a forwarded request must not carry to its target.

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
const HOP_BY_HOP = [
	"connection",
	"keep-alive",
	"proxy-connection",
	"proxy-authenticate",
	"proxy-authorization",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
];

/** Request headers for the upstream: hop-by-hop ones and `Host` dropped (fetch sets it for the target). */
export function forwardableHeaders(incoming: Headers): Headers {
	const headers = new Headers(incoming);
	const named = incoming.get("connection");
	if (named !== null) for (const name of named.split(",")) headers.delete(name.trim());
	for (const name of HOP_BY_HOP) headers.delete(name);
	headers.delete("host");
	return headers;
}
