// The floor for any Worker that adds CORS headers to forwarded answers: forwards like the
// bare forwarder, then copies the response (a fetched response's headers are immutable) to
// set two fixed headers. Nothing is decided: it measures what changing a header costs.
interface Env {
	UPSTREAM_URL: string;
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url);
		const res = await fetch(`${env.UPSTREAM_URL}${url.pathname}${url.search}`, {
			method: request.method,
			headers: request.headers,
			body: request.body,
			redirect: "manual",
		});
		const out = new Response(res.body, res);
		out.headers.set("Access-Control-Allow-Origin", "https://bench.example");
		out.headers.append("Vary", "Origin");
		return out;
	},
} satisfies ExportedHandler<Env>;
