// The CORS layer around forwarding: asks the compiled policy for a decision and applies
// it. All CORS logic lives in src/policy; this file only turns decisions into responses.
import { type AnyCorsPolicy, REASON_TEXT, type RefusalReason, settle } from "../../policy/index.ts";
import type { Logger, RefusalLog } from "../log.ts";
import { dropAccessControl, mergeVary, setAll } from "./response-headers.ts";

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

/** What the CORS layer works with, built once per isolate. */
export interface CorsLayer {
	/** The policy to decide with (the allowlist store); a due refresh goes to `waitUntil`. */
	store: { policy(waitUntil: (promise: Promise<unknown>) => void): AnyCorsPolicy | Promise<AnyCorsPolicy> };
	/** CORS_DEBUG: name each refusal's reason in a response header. */
	debug: boolean;
	log: Logger;
	refusals: RefusalLog;
}

/**
 * Answers preflights and refusals itself; otherwise calls `next` (which forwards) and
 * sets the decision's headers on its response. `url` is the request's, parsed once.
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
	const policy = loaded instanceof Promise ? await loaded : loaded;
	// The Access-Control-Request-* headers matter to preflights (OPTIONS) only.
	const options = request.method === "OPTIONS";
	const origin = headers.get("origin");
	const first = policy.decide({
		method: request.method,
		origin,
		requestMethod: options ? headers.get("access-control-request-method") : null,
		requestHeaders: options ? headers.get("access-control-request-headers") : null,
		selfOrigin: url.origin,
		host: url.hostname,
		path: url.pathname,
	});
	// Only a sharded allowlist whose shard for this origin is not in memory yet gets here.
	const decision = first.action === "lookup" ? await settle(first) : first;
	// A window's summary goes out with the first request after it, refused or not.
	refusals.flushIfDue();

	if (decision.action === "preflight") {
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
		const refusal = decision.headers as [string, string][];
		const out = debug ? [...refusal, [REASON_HEADER, REASON_VALUE[decision.reason]]] : refusal;
		return new Response(REFUSAL_BODY[decision.reason], { status: 403, headers: out });
	}

	const res = await next();
	const out = res.headers;
	dropAccessControl(out);
	setAll(out, decision.headers);
	if (decision.vary !== null) mergeVary(out, decision.vary);
	return res;
}

/** Request values are logged cut short, so a hostile request cannot inflate the logs. */
function clip(value: string | null): string | null {
	return value === null ? null : value.slice(0, MAX_LOGGED);
}
