// Sends an approved request to its configured target and streams the answer back.
import { forwardableHeaders } from "../http/headers.ts";
import type { Target } from "./routes.ts";

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

const TIMED_OUT = Symbol("timed out");

/** The answer of `target` to `request`, whose path and query are `url`'s, with headers the gateway may change. */
export async function forward(request: Request, url: URL, target: Target, options: ForwardOptions): Promise<Response> {
	if (target.kind === "assets") {
		// Asset responses have immutable headers; copy so the CORS layer can set its own.
		const res = await (options.assets as Fetcher).fetch(request);
		return new Response(res.body, res);
	}
	const sent = fetch(`${target.base}${url.pathname}${url.search}`, {
		method: request.method,
		headers: forwardableHeaders(request.headers),
		body: request.body,
		redirect: "manual",
	});
	// The timeout bounds the wait for response headers; the body then streams at its own
	// pace. A race rather than an AbortSignal: a signal costs as much CPU as the rest of the
	// gateway, and a subrequest left behind is cancelled by the runtime when this request ends.
	let timer!: ReturnType<typeof setTimeout>;
	const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
		timer = setTimeout(resolve, options.timeoutMs, TIMED_OUT);
	});
	let res: Response | typeof TIMED_OUT;
	try {
		res = await Promise.race([sent, deadline]);
	} catch (error) {
		throw new UpstreamError(502, `upstream unreachable: ${error instanceof Error ? error.message : String(error)}`);
	} finally {
		clearTimeout(timer);
	}
	if (res === TIMED_OUT) throw new UpstreamError(504, `upstream did not answer within ${options.timeoutMs} ms`);
	return new Response(res.body, res);
}
