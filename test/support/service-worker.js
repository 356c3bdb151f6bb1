// A Worker the `worker` test project binds to the gateway as a service (vitest.config.ts
// runs it twice: as ECHO_SERVICE, the one the routes name, and as DECOY_SERVICE, which no
// route names and which must never be called). Plain JavaScript: Miniflare runs auxiliary
// Workers as they are, without the test project's bundling.
//
//   any path          200, JSON echo of what arrived (see `record`)
//   /redirect?to=<url>&status=<3xx>
//                     that redirect (default 302 to /redirected)
//   /throw            the handler throws
//   /hang?ms=<n>      waits n ms (default 60000) before answering
// Every request is recorded, by its `x-test-tag` header, before it is answered; the tests
// read the record through the binding itself, which no route can reach:
//   GET /__requests?tag=<t>   JSON list of the requests tagged <t>, oldest first
//   GET /__count              how many requests this Worker received in all

/** @type {object[]} */
const requests = [];

export default {
	/** @param {Request} request @param {{ NAME: string }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		if (url.pathname === "/__requests") {
			return Response.json(requests.filter((r) => r.tag === url.searchParams.get("tag")));
		}
		if (url.pathname === "/__count") return Response.json(requests.length);
		const record = {
			service: env.NAME,
			method: request.method,
			url: request.url,
			host: request.headers.get("host"),
			headers: Object.fromEntries(request.headers),
			body: await request.text(),
			tag: request.headers.get("x-test-tag"),
		};
		requests.push(record);
		if (url.pathname === "/redirect") {
			const status = Number(url.searchParams.get("status") ?? 302);
			return new Response(null, { status, headers: { location: url.searchParams.get("to") ?? "/redirected" } });
		}
		if (url.pathname === "/throw") throw new Error(`${env.NAME} threw on purpose`);
		if (url.pathname === "/hang") {
			await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms") ?? 60_000)));
		}
		return Response.json(record, { headers: { "x-request-id": "svc-1" } });
	},
};
