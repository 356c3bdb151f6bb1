// The CORS layer around forwarding: asks the compiled policy for a decision and applies
// it, or, for a report-only policy, forwards everything and reports where the target's
// own answer differs. All CORS logic lives in src/policy; this file only turns decisions
// into responses and log lines.
import {
	type AnyCorsPolicy,
	type CorsRequest,
	compareWithTarget,
	type Decision,
	REASON_TEXT,
	type RefusalReason,
	settle,
	type Verdict,
} from "../../policy/index.ts";
import type { Analytics } from "../analytics.ts";
import type { Logger, RefusalLog } from "../log.ts";
import { drainSmallBody } from "./drain-body.ts";
import { accessControlOf, dropAccessControl, mergeVary, setAll } from "./response-headers.ts";

export const REASON_HEADER = "cors-gateway-reason";
const MAX_LOGGED = 256;

/** A refusal's body and debug header, per reason, built once. */
const REFUSAL_BODY = textPerReason((_reason, text) => `CORS request refused: ${text}.\n`);
const REASON_VALUE = textPerReason((reason, text) => `${reason}: ${text}`);

function textPerReason(format: (reason: string, text: string) => string): Record<RefusalReason, string> {
	const out = {} as Record<RefusalReason, string>;
	for (const [reason, text] of Object.entries(REASON_TEXT)) out[reason as RefusalReason] = format(reason, text);
	return out;
}

/** Answers the gateway gave instead of the target (502, 504, 404): no target answer to compare. */
const gatewayAnswers = new WeakSet<Response>();

/** Marks `res` as the gateway's own answer, not the target's: report-only mode compares nothing for it. */
export function gatewayAnswer(res: Response): Response {
	gatewayAnswers.add(res);
	return res;
}

/** What the CORS layer works with, built once per isolate. */
export interface CorsLayer {
	/** The policy to decide with (the allowlist store); a due refresh goes to `waitUntil`. */
	store: { policy(waitUntil: (promise: Promise<unknown>) => void): AnyCorsPolicy | Promise<AnyCorsPolicy> };
	/** CORS_DEBUG: name each refusal's reason in a response header. */
	debug: boolean;
	log: Logger;
	refusals: RefusalLog;
	/** The bounds of report-only mode's `cors-report` lines, the same as the refusals'. */
	reports: RefusalLog;
	/** The CORS_ANALYTICS dataset's recorder, when one is bound. */
	analytics?: Analytics;
}

/**
 * Answers preflights and refusals itself; otherwise calls `next` (which forwards) and
 * sets the decision's headers on its response. `url` is the request's, parsed once. A
 * report-only policy answers nothing itself: see `reportOnly`.
 */
export async function withCors(
	request: Request,
	url: URL,
	layer: CorsLayer,
	waitUntil: (promise: Promise<unknown>) => void,
	next: () => Promise<Response>,
): Promise<Response> {
	const { store, debug, log, refusals } = layer;
	const headers = request.headers;
	// Only an isolate's first requests wait for KV; the rest skip a needless await.
	const loaded = store.policy(waitUntil);
	let policy = loaded instanceof Promise ? await loaded : loaded;
	const req = corsRequest(request, url);
	// Only a document with a report-only policy chooses the route before deciding; the
	// route's own policy then decides without looking it up again.
	if (policy.reports) {
		policy = policy.policyFor(url.hostname, url.pathname);
		if (policy.reportOnly) return reportOnly(req, policy, layer, waitUntil, next);
	}
	const origin = req.origin;
	const first = policy.decide(req);
	// Only a sharded allowlist whose shard for this origin is not in memory yet gets here.
	const decision = first.action === "lookup" ? await settle(first) : first;
	// A window's summary goes out with the first request after it, refused or not.
	refusals.flushIfDue();

	if (decision.action === "preflight") {
		await drainSmallBody(request);
		return new Response(null, { status: 204, headers: decision.headers as [string, string][] });
	}
	if (decision.action === "refuse") {
		const logged = clip(origin);
		if (refusals.admit(decision.reason, logged))
			log({
				event: "cors-refused",
				reason: decision.reason,
				detail: decision.detail.slice(0, MAX_LOGGED),
				rule: REASON_TEXT[decision.reason],
				origin: logged,
				method: request.method,
				requestMethod: clip(headers.get("access-control-request-method")),
				requestHeaders: clip(headers.get("access-control-request-headers")),
				path: url.pathname.slice(0, MAX_LOGGED),
				// The route key whose policy refused (docs/SPEC.md, Routes); null: the top level.
				route: decision.route,
			});
		layer.analytics?.({
			kind: "refused",
			route: decision.route,
			reason: decision.reason,
			origin: logged,
			method: request.method.slice(0, MAX_LOGGED),
		});
		const refusal = decision.headers as [string, string][];
		const out = debug ? [...refusal, [REASON_HEADER, REASON_VALUE[decision.reason]]] : refusal;
		await drainSmallBody(request);
		return new Response(REFUSAL_BODY[decision.reason], { status: 403, headers: out });
	}

	const res = await next();
	const out = res.headers;
	dropAccessControl(out);
	setAll(out, decision.headers);
	if (decision.vary !== null) mergeVary(out, decision.vary);
	return res;
}

/** What the policy decides on: the request's method, CORS headers, and URL parsed once. */
function corsRequest(request: Request, url: URL): CorsRequest {
	const headers = request.headers;
	// The Access-Control-Request-* headers matter to preflights (OPTIONS) only.
	const options = request.method === "OPTIONS";
	return {
		method: request.method,
		origin: headers.get("origin"),
		requestMethod: options ? headers.get("access-control-request-method") : null,
		requestHeaders: options ? headers.get("access-control-request-headers") : null,
		selfOrigin: url.origin,
		host: url.hostname,
		path: url.pathname,
	};
}

/**
 * Report-only mode: every request goes to the target, preflights too, and its answer
 * comes back untouched; where the allowlist would have answered otherwise, one bounded
 * `cors-report` line (and a data point) says so.
 */
async function reportOnly(
	req: CorsRequest,
	policy: AnyCorsPolicy,
	layer: CorsLayer,
	waitUntil: (promise: Promise<unknown>) => void,
	next: () => Promise<Response>,
): Promise<Response> {
	const outcome = policy.decide(req);
	layer.refusals.flushIfDue();
	layer.reports.flushIfDue();
	const res = await next();
	if (gatewayAnswers.has(res)) return res;
	if (outcome.action !== "lookup") {
		report(req, outcome, res, layer);
		return res;
	}
	// A shard read must not hold up the target's answer: the comparison waits for it instead,
	// on a copy of what it reads, since the response is the client's once returned.
	const answer = { status: res.status, headers: accessControlOf(res.headers) };
	waitUntil(settle(outcome).then((decision) => report(req, decision, answer, layer)));
	return res;
}

function report(req: CorsRequest, decision: Decision, answer: { status: number; headers: Headers }, layer: CorsLayer) {
	const difference = compareWithTarget(req, decision, answer);
	if (difference === undefined) return;
	const { reason } = difference;
	const origin = clip(req.origin);
	const method = req.method.slice(0, MAX_LOGGED);
	layer.analytics?.({ kind: "report", route: decision.route, reason, origin, method });
	if (!layer.reports.admit(reason, origin)) return;
	const preflight = req.method === "OPTIONS" && req.requestMethod !== null;
	layer.log({
		event: "cors-report",
		reason,
		route: decision.route,
		origin,
		method,
		...(preflight ? { requestMethod: clip(req.requestMethod), requestHeaders: clip(req.requestHeaders) } : {}),
		path: req.path.slice(0, MAX_LOGGED),
		allowlist: clipVerdict(difference.allowlist),
		target: {
			...clipVerdict(difference.target),
			status: answer.status,
			headers: Object.fromEntries([...accessControlOf(answer.headers)].map(([n, v]) => [n, v.slice(0, MAX_LOGGED)])),
		},
	});
}

/** A verdict's detail may repeat the request (a header name, a method, an origin). */
function clipVerdict(verdict: Verdict): Verdict {
	return verdict.decision === "allow" ? verdict : { ...verdict, detail: verdict.detail.slice(0, MAX_LOGGED) };
}

/** Request values are logged cut short, so a hostile request cannot inflate the logs. */
function clip(value: string | null): string | null {
	return value === null ? null : value.slice(0, MAX_LOGGED);
}
