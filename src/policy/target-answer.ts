// Report-only mode (docs/SPEC.md "Report-only mode"): the target's own answer read as a
// browser reads it (the Fetch standard's CORS check, and for a preflight its status,
// methods and headers checks), then compared with what the allowlist would have answered.
// Both answers go through the same reading, so "allowed" means the same on either side.
import { isOws, isToken, SAFELISTED_METHODS } from "./header-names.ts";
import type { CorsRequest, Decision, HeaderList, RefusalReason } from "./policy.ts";

/** What a browser reads of an answer: its status and its headers (names case-insensitive). */
export interface Answer {
	status: number;
	headers: { get(name: string): string | null };
}

/** The check that made a browser (or the allowlist) refuse. */
export type Fault = "status" | "origin" | "credentials" | "method" | "header";

/** One side's answer: allowed, or refused with the check that failed and what failed it. */
export type Verdict =
	| { decision: "allow" }
	/** `reason`: the allowlist's refusal reason (or `credentials`), or the target's failed check. */
	| { decision: "refuse"; reason: RefusalReason | Fault; detail: string };

/** Which side refused, and the check: `allowlist-refuses-origin`, `target-refuses-header`… */
export type DifferenceReason = `${"allowlist" | "target"}-refuses-${Fault}`;

/** Where the allowlist and the target disagree about one request. */
export interface Difference {
	reason: DifferenceReason;
	allowlist: Verdict;
	target: Verdict;
}

const ACAO = "access-control-allow-origin";
const ACAC = "access-control-allow-credentials";
const ACAM = "access-control-allow-methods";
const ACAH = "access-control-allow-headers";
const ALLOW: Verdict = { decision: "allow" };

/** The check behind each refusal reason of the allowlist. */
const FAULT_OF: Readonly<Record<RefusalReason, Fault>> = {
	"no-allowlist": "origin",
	"allowlist-unavailable": "origin",
	"origin-empty": "origin",
	"origin-too-long": "origin",
	"origin-malformed": "origin",
	"origin-not-allowed": "origin",
	"preflight-method-empty": "method",
	"method-not-allowed": "method",
	"header-not-allowed": "header",
	"request-headers-too-long": "header",
	"request-headers-malformed": "header",
};

/**
 * The difference between the allowlist's `decision` for `req` and the target's answer to
 * it, or undefined when a browser would do the same with either (both allow, or both
 * refuse, for whatever reasons) or there is no CORS decision to compare (no `Origin`, or
 * same-origin).
 *
 * A server cannot see whether the browser's request carries credentials. The target's
 * `Access-Control-Allow-Credentials: true` says it expects them, so the request is read as
 * credentialed exactly when the target sends it, on both answers.
 */
export function compareWithTarget(req: CorsRequest, decision: Decision, target: Answer): Difference | undefined {
	if (decision.action === "forward" && !decision.cors) return undefined;
	const preflight = decision.action === "preflight" || (decision.action === "refuse" && decision.preflight);
	const credentialed = target.headers.get(ACAC) === "true";
	const theirs = readAnswer(req, preflight, credentialed, target);
	const ours =
		decision.action === "refuse"
			? ({ decision: "refuse", reason: decision.reason, detail: decision.detail } as const)
			: // An actual request's CORS check never reads the status; a preflight's 204 is ok.
				readAnswer(req, preflight, credentialed, { status: 204, headers: headerList(decision.headers) });
	if (ours.decision === theirs.decision) return undefined;
	const [side, refused] = ours.decision === "refuse" ? (["allowlist", ours] as const) : (["target", theirs] as const);
	return { reason: `${side}-refuses-${faultOf(refused)}`, allowlist: ours, target: theirs };
}

function faultOf(verdict: Verdict): Fault {
	const reason = (verdict as Extract<Verdict, { decision: "refuse" }>).reason;
	return reason in FAULT_OF ? FAULT_OF[reason as RefusalReason] : (reason as Fault);
}

/**
 * What a browser does with `answer` to `req`: for every request the CORS check (an
 * `Access-Control-Allow-Origin` that is `*` for an uncredentialed request or the request's
 * `Origin` byte for byte; `Access-Control-Allow-Credentials: true` for a credentialed one);
 * for a preflight first an ok status, then the requested method (safelisted methods always
 * pass, `*` only without credentials) and every requested header (`*` only without
 * credentials, and never for `authorization`) in the answer's lists.
 */
export function readAnswer(req: CorsRequest, preflight: boolean, credentialed: boolean, answer: Answer): Verdict {
	if (preflight && (answer.status < 200 || answer.status > 299))
		return refuse("status", `a preflight answered ${answer.status}, not 2xx`);
	const allowOrigin = answer.headers.get(ACAO);
	if (allowOrigin === null) return refuse("origin", "no Access-Control-Allow-Origin");
	if (allowOrigin === "*") {
		if (credentialed) return refuse("credentials", 'Access-Control-Allow-Origin "*" on a credentialed request');
	} else if (allowOrigin !== req.origin) {
		return refuse("origin", `Access-Control-Allow-Origin: ${allowOrigin}`);
	}
	if (credentialed && answer.headers.get(ACAC) !== "true")
		return refuse("credentials", "no Access-Control-Allow-Credentials: true on a credentialed request");
	if (!preflight) return ALLOW;

	const methods = tokens(answer.headers.get(ACAM));
	if (methods === undefined) return refuse("method", "Access-Control-Allow-Methods is not a list of methods");
	const names = tokens(answer.headers.get(ACAH)?.toLowerCase() ?? null);
	if (names === undefined) return refuse("header", "Access-Control-Allow-Headers is not a list of header names");
	const method = req.requestMethod as string;
	const anyMethod = !credentialed && methods.includes("*");
	if (!SAFELISTED_METHODS.includes(method) && !methods.includes(method) && !anyMethod) return refuse("method", method);

	const requested = tokens(req.requestHeaders?.toLowerCase() ?? null);
	if (requested === undefined) return refuse("header", "Access-Control-Request-Headers is not a list of header names");
	const anyHeader = !credentialed && names.includes("*");
	for (const name of requested) {
		if (names.includes(name)) continue;
		if (!anyHeader || name === "authorization") return refuse("header", name);
	}
	return ALLOW;
}

function refuse(reason: Fault, detail: string): Verdict {
	return { decision: "refuse", reason, detail };
}

/**
 * A comma-separated list of tokens (empty items skipped, spaces and tabs around them
 * trimmed); undefined when an item is no token. Trimmed by hand: a request's own
 * Access-Control-Request-Headers gets here, and a trimming regex is quadratic on long runs
 * of spaces.
 */
function tokens(value: string | null): string[] | undefined {
	if (value === null) return [];
	const out: string[] = [];
	for (const item of value.split(",")) {
		let start = 0;
		let end = item.length;
		while (start < end && isOws(item.charCodeAt(start))) start++;
		while (end > start && isOws(item.charCodeAt(end - 1))) end--;
		if (start === end) continue;
		const token = item.slice(start, end);
		if (!isToken(token)) return undefined;
		out.push(token);
	}
	return out;
}

/** The allowlist's own answer headers, read like a response's. */
function headerList(list: HeaderList): Answer["headers"] {
	return { get: (name) => list.find(([n]) => n.toLowerCase() === name)?.[1] ?? null };
}
