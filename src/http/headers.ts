// Header surgery shared by forwarding and the CORS layer.
import type { HeaderList } from "../policy/index.ts";

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

/** Drops every `Access-Control-*` header: the policy, not the upstream, decides them. */
export function dropAccessControl(headers: Headers): void {
	const names: string[] = [];
	// keys() rather than entries: no value strings and pairs made for every header.
	for (const name of headers.keys()) if (name.startsWith("access-control-")) names.push(name);
	for (const name of names) headers.delete(name);
}

/** Adds each token of `tokens` to `Vary` unless present (case-insensitively) or `Vary: *`. */
export function mergeVary(headers: Headers, tokens: string): void {
	const current = headers.get("vary");
	if (current === null || current.trim() === "") {
		headers.set("vary", tokens);
		return;
	}
	const have = new Set(current.split(",").map((t) => t.trim().toLowerCase()));
	if (have.has("*")) return;
	const missing = tokens.split(", ").filter((t) => !have.has(t.toLowerCase()));
	if (missing.length > 0) headers.set("vary", `${current}, ${missing.join(", ")}`);
}

export function setAll(headers: Headers, list: HeaderList): void {
	for (const [name, value] of list) headers.set(name, value);
}
