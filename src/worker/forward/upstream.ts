// Sends an approved request to its configured target and streams the answer back.
import type { Target } from "../config.ts";
import { errorMessage } from "../log.ts";
import { withTimeout } from "../timeout.ts";
import { forwardableHeaders } from "./hop-by-hop.ts";

export interface ForwardOptions {
	timeoutMs: number;
	assets: Fetcher | undefined;
}

/** The upstream failed before answering: `status` is 502 (unreachable) or 504 (timeout). */
export class UpstreamError extends Error {
	readonly status: 502 | 504;
	constructor(status: 502 | 504, message: string) {
		super(message);
		this.status = status;
	}
}

/** The answer of `target` to `request`, whose path and query are `url`'s, with headers the gateway may change. */
export async function forward(request: Request, url: URL, target: Target, options: ForwardOptions): Promise<Response> {
	if (target.kind === "assets") {
		// Asset responses have immutable headers; copy so the CORS layer can set its own.
		const res = await (options.assets as Fetcher).fetch(request);
		return new Response(res.body, res);
	}
	const { timeoutMs } = options;
	let res: Response;
	try {
		// The timeout bounds the wait for response headers; the body then streams at its own pace.
		res = await withTimeout(
			fetch(`${target.base}${url.pathname}${url.search}`, {
				method: request.method,
				headers: forwardableHeaders(request.headers),
				body: request.body,
				redirect: "manual",
			}),
			timeoutMs,
			() => new UpstreamError(504, `upstream did not answer within ${timeoutMs} ms`),
		);
	} catch (error) {
		if (error instanceof UpstreamError) throw error;
		throw new UpstreamError(502, `upstream unreachable: ${errorMessage(error)}`);
	}
	return new Response(res.body, res);
}
