// `check`: what the gateway would do with a browser's request, decided by the same
// CorsPolicy the Worker runs, and told the way a web developer debugs CORS: does the
// browser send a preflight, is it approved and by which entry, which headers come back.

import {
	type CorsPolicy,
	type Decision,
	NORMALIZED_METHODS,
	REASON_TEXT,
	SAFELISTED_METHODS,
	SAFELISTED_REQUEST_HEADERS,
} from "../policy/index.ts";
import { refusalHints } from "./hints.ts";

export interface CheckRequest {
	origin: string;
	method: string;
	/** Header names the page sets. */
	headers: readonly string[];
}

// The Worker's own origin is unknown here; NUL can be in no Origin header (nor in argv).
const NO_SELF_ORIGIN = "\u0000";
// `check` has no host or path to ask about: it decides with the top level's policy (or the "/" route's).
const TOP_LEVEL = { host: "", path: "/" };

/**
 * The names a browser lists in Access-Control-Request-Headers: those it cannot send
 * without asking. content-type counts, since pages that name it mostly send JSON.
 */
function preflightHeaders(headers: readonly string[]): string[] {
	const names = new Set(headers.map((h) => h.toLowerCase()));
	return [...names].filter((h) => h === "content-type" || !SAFELISTED_REQUEST_HEADERS.includes(h)).sort();
}

/** The method fetch() sends for what the page writes: DELETE, GET, HEAD, OPTIONS, POST, PUT in any case are upper-cased. */
export function sentMethod(method: string): string {
	const upper = method.toUpperCase();
	return NORMALIZED_METHODS.has(upper) ? upper : method;
}

export function explain(policy: CorsPolicy, asWritten: CheckRequest): { approved: boolean; lines: string[] } {
	const lines: string[] = [];
	const req = { ...asWritten, method: sentMethod(asWritten.method) };
	if (req.method !== asWritten.method) lines.push(`(fetch() sends method "${asWritten.method}" as ${req.method})`);
	const listed = preflightHeaders(req.headers);
	const preflight = !SAFELISTED_METHODS.includes(req.method) || listed.length > 0;

	if (preflight) {
		const acrh = listed.join(",");
		lines.push(
			`Preflight: OPTIONS with Access-Control-Request-Method: ${req.method}${acrh ? `, Access-Control-Request-Headers: ${acrh}` : ""}`,
		);
		const decision = policy.decide({
			method: "OPTIONS",
			origin: req.origin,
			requestMethod: req.method,
			requestHeaders: acrh === "" ? null : acrh,
			selfOrigin: NO_SELF_ORIGIN,
			...TOP_LEVEL,
			...TOP_LEVEL,
		});
		lines.push(...describe(decision, policy, req));
		if (decision.action === "refuse") {
			lines.push(`Request: ${req.method}`, "  not sent: the browser stops at a refused preflight");
			return { approved: false, lines: [verdict(false, req), "", ...lines] };
		}
	}
	lines.push(`Request: ${req.method}${preflight ? "" : " (no preflight: a CORS-safelisted method and headers)"}`);
	const decision = policy.decide({
		method: req.method,
		origin: req.origin,
		requestMethod: null,
		requestHeaders: null,
		selfOrigin: NO_SELF_ORIGIN,
		...TOP_LEVEL,
	});
	lines.push(...describe(decision, policy, req));
	const approved = decision.action !== "refuse";
	return { approved, lines: [verdict(approved, req), "", ...lines] };
}

function verdict(approved: boolean, req: CheckRequest): string {
	const what = `${req.method}${req.headers.length ? ` with ${req.headers.join(", ")}` : ""}`;
	return approved
		? `approved: a page on ${req.origin} may send ${what}`
		: `refused: a page on ${JSON.stringify(req.origin)} may not send ${what}`;
}

function describe(decision: Decision, policy: CorsPolicy, req: CheckRequest): string[] {
	const out: string[] = [];
	const headers = (extra: string[] = []) => [
		...decision.headers.map(([name, value]) => `    ${name}: ${value}`),
		...extra.map((h) => `    ${h}`),
	];
	if (decision.action === "preflight") {
		out.push(`  approved by the entry "${decision.entry}"; the gateway answers 204 itself, never forwarded, with:`);
		out.push(...headers());
	} else if (decision.action === "forward") {
		out.push(`  approved by the entry "${decision.entry}"; forwarded upstream, and the gateway sets on the response:`);
		out.push(...headers(decision.vary ? [`Vary: ${decision.vary} (merged into the upstream's Vary)`] : []));
		out.push("  (any Access-Control-* headers from the upstream are replaced)");
	} else if (decision.action === "refuse") {
		out.push(`  refused: ${REASON_TEXT[decision.reason]} (${decision.detail})`);
		out.push("  the gateway answers 403, never forwarded, with no Access-Control-Allow-* headers:");
		out.push(...headers());
		out.push(
			`  in the browser: fetch() rejects with "TypeError: Failed to fetch" and the console reports a CORS error`,
		);
		for (const hint of refusalHints(decision.reason, decision.detail, req.origin, policy.document)) {
			out.push(`  - ${hint}`);
		}
	}
	return out;
}
