// Sends an approved request to its configured target and streams the answer back.
import { errorMessage } from "../log.ts";
import type { Target } from "../targets.ts";
import { withTimeout } from "../timeout.ts";
import { forwardableHeaders } from "./hop-by-hop.ts";

export interface ForwardOptions {
	timeoutMs: number;
}

/** The upstream failed before answering: `status` is 502 (unreachable) or 504 (timeout). */
export class UpstreamError extends Error {
	readonly status: 502 | 504;
	/** The log line's reason: the message, or more than a client may read. */
	readonly reason: string;
	constructor(status: 502 | 504, message: string, reason = message) {
		super(message);
		this.status = status;
		this.reason = reason;
	}
}

/** The answer of `target` to `request`, whose path and query are `url`'s, with headers the gateway may change. */
export async function forward(request: Request, url: URL, target: Target, options: ForwardOptions): Promise<Response> {
	if (target.kind === "assets") {
		// Asset responses have immutable headers; copy so the CORS layer can set its own.
		const res = await target.binding.fetch(request);
		return new Response(res.body, res);
	}
	// URL and service targets get the same hygiene; only the callee and the URL differ.
	const init: RequestInit = {
		method: request.method,
		headers: forwardableHeaders(request.headers),
		body: request.body,
		// A binding's fetch follows redirects too, back into the same service.
		redirect: "manual",
	};
	const { timeoutMs } = options;
	let res: Response;
	try {
		// The timeout bounds the wait for response headers; the body then streams at its own pace.
		res = await withTimeout(
			call(target, url, init),
			timeoutMs,
			() => new UpstreamError(504, `upstream did not answer within ${timeoutMs} ms`),
		);
	} catch (error) {
		if (error instanceof UpstreamError) throw error;
		if (target.kind === "url") throw new UpstreamError(502, `upstream unreachable: ${errorMessage(error)}`);
		// What a service throws is its own business (it may name what it keeps private): logged, never answered.
		throw new UpstreamError(
			502,
			"upstream service failed without answering",
			`service ${target.name} failed without answering: ${errorMessage(error)}`,
		);
	}
	return new Response(res.body, res);
}

function call(target: Exclude<Target, { kind: "assets" }>, url: URL, init: RequestInit): Promise<Response> {
	if (target.kind === "url") return fetch(`${target.base}${url.pathname}${url.search}`, init);
	// The binding alone decides which Worker answers. The URL it is given is the gateway's
	// own, as the client addressed it, so the service sees the public host, path and query.
	return target.binding.fetch(`${url.origin}${url.pathname}${url.search}`, init);
}
