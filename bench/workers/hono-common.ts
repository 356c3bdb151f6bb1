// The same job written the common way: the allowlist document is read from KV and
// JSON.parse'd on every request, the Origin matched with Array.includes, and Hono's
// built-in cors() middleware writes the headers. Wildcard entries are handled the naive
// common way: Array.some over the entries holding "://*.", true when the Origin starts
// with the entry's scheme and ends with the rest after the "*" (no normalization of case
// or default ports). Disallowed origins get 403 before cors() runs, since cors() alone
// never refuses (it only leaves Access-Control-Allow-Origin out and forwards).
import { Hono } from "hono";
import { cors } from "hono/cors";

interface Bindings {
	ALLOWLIST: KVNamespace;
	UPSTREAM_URL: string;
}

interface Allowlist {
	origins?: string[];
	credentials?: boolean;
	methods?: string[];
	headers?: string[];
	exposeHeaders?: string[];
	maxAge?: number;
}

function isAllowed(origins: string[], origin: string): boolean {
	if (origins.includes(origin)) return true;
	return origins.some((entry) => {
		const star = entry.indexOf("://*.");
		return star !== -1 && origin.startsWith(entry.slice(0, star + 3)) && origin.endsWith(entry.slice(star + 4));
	});
}

const app = new Hono<{ Bindings: Bindings }>();

app.use(async (c, next) => {
	const doc = JSON.parse((await c.env.ALLOWLIST.get("allowlist")) ?? "{}") as Allowlist;
	const origin = c.req.header("origin");
	if (origin !== undefined && !isAllowed(doc.origins ?? [], origin)) {
		return c.text("CORS request refused.\n", 403, { Vary: "Origin" });
	}
	return cors({
		origin: (o) => o,
		allowMethods: doc.methods,
		allowHeaders: doc.headers,
		exposeHeaders: doc.exposeHeaders,
		maxAge: doc.maxAge,
		credentials: doc.credentials,
	})(c, next);
});

app.all("*", (c) => {
	const request = c.req.raw;
	const url = new URL(request.url);
	return fetch(`${c.env.UPSTREAM_URL}${url.pathname}${url.search}`, {
		method: request.method,
		headers: request.headers,
		body: request.body,
		redirect: "manual",
	});
});

export default app;
