// What the CORS layer does to a forwarded response's headers.
import type { HeaderList } from "../../policy/index.ts";

/** Drops every `Access-Control-*` header: the policy, not the upstream, decides them. */
export function dropAccessControl(headers: Headers): void {
	const names: string[] = [];
	// keys() rather than entries: no value strings and pairs made for every header.
	for (const name of headers.keys()) if (name.startsWith("access-control-")) names.push(name);
	for (const name of names) headers.delete(name);
}

/** A copy of the `Access-Control-*` headers alone: what report-only mode reads and logs of a target's answer. */
export function accessControlOf(headers: Headers): Headers {
	const out = new Headers();
	for (const [name, value] of headers) if (name.startsWith("access-control-")) out.set(name, value);
	return out;
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
