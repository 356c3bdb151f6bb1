// `check`: what the gateway would do with a browser's request, decided by the same
// CorsPolicy the Worker runs, and told the way a web developer debugs CORS: does the
// browser send a preflight, is it approved and by which entry, which headers come back.

import {
	type CorsPolicy,
	type Decision,
	NORMALIZED_METHODS,
	parseRouteKey,
	REASON_TEXT,
	SAFELISTED_METHODS,
	SAFELISTED_REQUEST_HEADERS,
} from "../policy/index.ts";
import { type Refuser, refusalHints } from "./hints.ts";

export interface CheckRequest {
	origin: string;
	method: string;
	/** Header names the page sets. */
	headers: readonly string[];
	/** The request URL's host name, or null: then only route keys without a host match. */
	host: string | null;
	/** The request URL's path as written (it starts with /); the route is chosen by the URL parser's reading of it. */
	path: string;
}

/** The request as the browser sends it: method as fetch() sends it, path as the URL parser reads it. */
interface SentRequest extends CheckRequest {
	/** Access-Control-Request-Headers, or null when the page sets none a browser must ask for. */
	acrh: string | null;
	preflight: boolean;
}

// The Worker's own origin is unknown here; NUL can be in no Origin header (nor in argv).
const NO_SELF_ORIGIN = "\u0000";
/** Places named at most in one "allowed on" line; the rest are counted. */
const MAX_ELSEWHERE = 5;

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

/** `path` as `URL#pathname` gives it to the gateway: dot segments resolved, no query, some characters encoded. */
export function urlPath(path: string): string {
	return new URL(`https://check.invalid${path}`).pathname;
}

/** The browser's requests in order: the preflight when one is sent, then the request unless the preflight was refused. */
function decideAll(policy: CorsPolicy, req: SentRequest, host: string, path: string): Decision[] {
	const at = { origin: req.origin, selfOrigin: NO_SELF_ORIGIN, host, path };
	const decisions: Decision[] = [];
	if (req.preflight) {
		const decision = policy.decide({ ...at, method: "OPTIONS", requestMethod: req.method, requestHeaders: req.acrh });
		decisions.push(decision);
		if (decision.action === "refuse") return decisions;
	}
	decisions.push(policy.decide({ ...at, method: req.method, requestMethod: null, requestHeaders: null }));
	return decisions;
}

/**
 * Where else the same request would be approved: each route other than `decidedBy`, asked
 * at its own key's host and path, and the top level when a request can reach it (no key
 * `/`). Route keys in code-point order, after the top level; null names the top level.
 */
function approvedElsewhere(policy: CorsPolicy, req: SentRequest, decidedBy: string | null): Array<string | null> {
	const places: Array<string | null> = [null, ...Object.keys(policy.document?.routes ?? {}).sort()];
	return places.filter((place) => {
		if (place === decidedBy) return false;
		const key = place === null ? { host: null, prefix: "/" } : parseRouteKey(place);
		if ("rule" in key) return false;
		const decisions = decideAll(policy, req, key.host ?? "", key.prefix);
		const last = decisions[decisions.length - 1] as Decision;
		return last.route === place && last.action !== "refuse";
	});
}

function placeName(place: string | null): string {
	return place ?? "the top level";
}

/** `allowed on /partner and /public, not on /api`: at most MAX_ELSEWHERE places named, the rest counted. */
function elsewhereLine(places: ReadonlyArray<string | null>, decidedBy: string | null): string {
	const named = places.slice(0, MAX_ELSEWHERE).map(placeName);
	const more = places.length - named.length;
	if (more > 0) named.push(`${more} more`);
	const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`;
	return `allowed on ${list}, not on ${placeName(decidedBy)}`;
}

function routeLine(route: string | null, target: string, routes: number): string {
	if (route !== null) return `decided by route ${JSON.stringify(route)}`;
	if (routes === 0) return "decided by the top level (the allowlist has no routes)";
	return `decided by the top level (no route matches ${target})`;
}

export function explain(policy: CorsPolicy, asWritten: CheckRequest): { approved: boolean; lines: string[] } {
	const lines: string[] = [];
	const method = sentMethod(asWritten.method);
	if (method !== asWritten.method) lines.push(`(fetch() sends method "${asWritten.method}" as ${method})`);
	const path = urlPath(asWritten.path);
	if (path !== asWritten.path) lines.push(`(the URL parser reads the path "${asWritten.path}" as ${path})`);
	const listed = preflightHeaders(asWritten.headers);
	const req: SentRequest = {
		...asWritten,
		method,
		path,
		acrh: listed.length > 0 ? listed.join(",") : null,
		preflight: !SAFELISTED_METHODS.includes(method) || listed.length > 0,
	};
	const host = req.host ?? "";
	const routed = policy.policyFor(host, path);
	const routes = Object.keys(policy.document?.routes ?? {}).length;
	// Without routes, the route would only repeat the obvious unless a host or path was asked about.
	const target =
		policy.document !== null && (routes > 0 || req.host !== null || path !== "/") ? `${req.host ?? ""}${path}` : null;
	if (target !== null) lines.push(routeLine(routed.route, target, routes));
	if (routed.reportOnly)
		lines.push(
			"report-only: the gateway enforces none of what follows; it forwards the request, preflight included, to the target, returns its answer untouched and logs a cors-report line where the target answers otherwise",
		);
	const refuser: Refuser = {
		document: routed.document,
		route: routed.route,
		own: routed.route === null ? {} : (policy.document?.routes?.[routed.route] ?? {}),
	};

	const decisions = decideAll(policy, req, host, path);
	const last = decisions[decisions.length - 1] as Decision;
	const approved = last.action !== "refuse";
	const elsewhere = approved ? [] : approvedElsewhere(policy, req, last.route);
	const hints = elsewhere.length > 0 ? [elsewhereLine(elsewhere, last.route)] : [];
	if (req.preflight) {
		lines.push(
			`Preflight: OPTIONS with Access-Control-Request-Method: ${method}${req.acrh ? `, Access-Control-Request-Headers: ${req.acrh}` : ""}`,
		);
		lines.push(...describe(decisions[0] as Decision, refuser, req, hints));
		if (decisions.length === 1) {
			lines.push(`Request: ${method}`, "  not sent: the browser stops at a refused preflight");
			return { approved, lines: [verdict(approved, req, target), "", ...lines] };
		}
	}
	lines.push(`Request: ${method}${req.preflight ? "" : " (no preflight: a CORS-safelisted method and headers)"}`);
	lines.push(...describe(last, refuser, req, hints));
	return { approved, lines: [verdict(approved, req, target), "", ...lines] };
}

/** `target`: the host and path the request goes to, when the route is named. */
function verdict(approved: boolean, req: CheckRequest, target: string | null): string {
	const what = `${req.method}${req.headers.length ? ` with ${req.headers.join(", ")}` : ""}${target === null ? "" : ` to ${target}`}`;
	return approved
		? `approved: a page on ${req.origin} may send ${what}`
		: `refused: a page on ${JSON.stringify(req.origin)} may not send ${what}`;
}

/** One decision in words; `elsewhere`: more hints after a refusal's own. */
function describe(decision: Decision, refuser: Refuser, req: CheckRequest, elsewhere: readonly string[]): string[] {
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
		for (const hint of [...refusalHints(decision.reason, decision.detail, req.origin, refuser), ...elsewhere]) {
			out.push(`  - ${hint}`);
		}
	}
	return out;
}
