// A route's target: what a ROUTES value (or UPSTREAM_URL) names, checked and resolved
// against the Worker's bindings once, when the configuration is read. A request then only
// chooses among the resolved targets; nothing in it names a host or a binding.

/** The Worker's env by binding name, where `"assets"` and `"service:NAME"` targets are looked up. */
export type Bindings = Readonly<Record<string, unknown>>;

/**
 * `base` is a URL target's origin and base path, fixed at load: a request's path (which
 * always starts with "/") and query are appended to it, so the authority can only ever
 * be the configured one; `//evil.example` or `/\evil.example` in a path stay a path.
 * `binding` is the Fetcher a binding target calls, looked up at load so a request never
 * reads the env.
 */
export type Target =
	| { kind: "url"; base: string }
	| { kind: "assets"; binding: Fetcher }
	| { kind: "service"; name: string; binding: Fetcher };

/** Why a value is not a target: the rest of a sentence that starts with where the value is (`ROUTES["/api"]`). */
export interface TargetProblem {
	problem: string;
}

const ASSETS_TARGET = "assets";
const SERVICE_PREFIX = "service:";
/** A binding name as wrangler.toml declares one: a JavaScript identifier, in ASCII. */
const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SERVICES_FIX = `name the binding of a [[services]] block in wrangler.toml (binding = "NAME", service = "<the Worker to call>")`;

function isFetcher(value: unknown): value is Fetcher {
	return typeof (value as { fetch?: unknown } | undefined)?.fetch === "function";
}

export function parseTarget(value: unknown, bindings: Bindings): Target | TargetProblem {
	if (value === ASSETS_TARGET) {
		const binding = bindings.ASSETS;
		if (!isFetcher(binding))
			return {
				problem: `is "assets" but the Worker has no ASSETS binding (static assets are off by default); add to wrangler.toml [assets] with directory = "./public", binding = "ASSETS" and run_worker_first = true (README: Static assets)`,
			};
		return { kind: "assets", binding };
	}
	if (typeof value !== "string")
		return { problem: `must be an http(s) URL, "assets" or "service:NAME", got ${JSON.stringify(value)}` };
	if (value.startsWith(SERVICE_PREFIX)) return serviceTarget(value.slice(SERVICE_PREFIX.length), bindings);
	return urlTarget(value);
}

function serviceTarget(name: string, bindings: Bindings): Target | TargetProblem {
	if (name === "") return { problem: `is "service:" without a binding name; write "service:NAME" and ${SERVICES_FIX}` };
	if (!BINDING_NAME.test(name))
		return {
			problem: `names the service binding ${JSON.stringify(name)}, which is not a binding name (letters, digits and _, not starting with a digit); ${SERVICES_FIX}`,
		};
	if (name === "ASSETS")
		return { problem: `names ASSETS, the static-assets binding, as a service; write "assets" to serve static assets` };
	const binding = bindings[name];
	if (binding === undefined)
		return {
			problem: `names the service binding ${name}, which the Worker does not have; add to wrangler.toml [[services]] with binding = "${name}" and service = "<the Worker to call>"`,
		};
	if (!isFetcher(binding))
		return {
			problem: `names ${name}, which is not a service binding (it has no fetch method: a var, a KV namespace…); ${SERVICES_FIX}`,
		};
	return { kind: "service", name, binding };
}

function urlTarget(value: string): Target | TargetProblem {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return {
			problem: `is not an absolute URL: ${JSON.stringify(value)}; write it as "https://api.example.com"`,
		};
	}
	if (url.protocol !== "https:" && url.protocol !== "http:")
		return { problem: `must use http or https, got ${JSON.stringify(value)}` };
	if (url.username || url.password || url.search || url.hash)
		return { problem: `must not carry user-info, a query or a fragment: ${JSON.stringify(value)}` };
	return { kind: "url", base: url.origin + url.pathname.replace(/\/+$/, "") };
}
