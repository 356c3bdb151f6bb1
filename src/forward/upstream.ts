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

/**
 * The URL on the target for `url`: the target's fixed origin, then its base path, then
 * the request's path and query. The authority is copied from configuration, never from
 * the request, so `//evil.example` or `/\evil.example` in a path stay a path.
 */
export function targetUrl(target: { origin: string; basePath: string }, url: URL): string {
	return `${target.origin}${target.basePath}${url.pathname}${url.search}`;
}

export async function forward(request: Request, url: URL, target: Target, options: ForwardOptions): Promise<Response> {
	if (target.kind === "assets") {
		// Asset responses have immutable headers; copy so the CORS layer can set its own.
		const res = await (options.assets as Fetcher).fetch(request);
		return new Response(res.body, res);
	}
	const destination = targetUrl(target, url);
	if (new URL(destination).origin !== target.origin)
		throw new UpstreamError(502, "refused to forward outside the configured upstream");

	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), options.timeoutMs);
	let res: Response;
	try {
		res = await fetch(destination, {
			method: request.method,
			headers: forwardableHeaders(request.headers),
			body: request.body,
			redirect: "manual",
			signal: controller.signal,
		});
	} catch (error) {
		if (controller.signal.aborted)
			throw new UpstreamError(504, `upstream did not answer within ${options.timeoutMs} ms`);
		throw new UpstreamError(502, `upstream unreachable: ${error instanceof Error ? error.message : String(error)}`);
	} finally {
		// The timeout bounds the wait for response headers; the body then streams at its own pace.
		clearTimeout(timer);
	}
	return new Response(res.body, res);
}
