// The physical limit for forwarded traffic: forwards every request to UPSTREAM_URL, keeping
// method, path, query, headers and body, following no redirect, and adds nothing.
interface Env {
	UPSTREAM_URL: string;
}

export default {
	fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url);
		return fetch(`${env.UPSTREAM_URL}${url.pathname}${url.search}`, {
			method: request.method,
			headers: request.headers,
			body: request.body,
			redirect: "manual",
		});
	},
} satisfies ExportedHandler<Env>;
