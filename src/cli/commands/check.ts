import { type CorsPolicy, parseRouteKey, refuseAll } from "../../policy/index.ts";
import { KV_OPTIONS, kvTarget } from "../args.ts";
import { UsageError } from "../errors.ts";
import { explain } from "../explain.ts";
import { note, printProblems, say } from "../output.ts";
import { readStored, readValidDocument, sourceName } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const check: Command = {
	name: "check",
	usage:
		"cors-gateway check ORIGIN [--method M] [--header H]... [--path PATH] [--host HOST] [--file FILE | --local | --remote]",
	summary: "explain what the gateway does with a request from ORIGIN, and why",
	help: `  --method M          the request's method, as the page writes it (default GET)
  --header H          a header the page sets (repeat for several)
  --path PATH         the path the page requests, which chooses the route (default /)
  --host HOST         the host name the page requests; without it, only route keys
                      without a host match
  --file FILE         decide with this document instead of the one in KV
${KV_HELP}`,
	options: {
		...KV_OPTIONS,
		method: { type: "string" },
		header: { type: "string", multiple: true },
		path: { type: "string" },
		host: { type: "string" },
		file: { type: "string" },
	},
	positionals: { min: 1, max: 1, what: "ORIGIN (the calling page's origin, e.g. https://app.example.com)" },
	async run({ values, positionals }) {
		const file = values.file as string | undefined;
		const kvFlags = Object.keys(KV_OPTIONS).filter((k) => values[k] !== undefined);
		if (file !== undefined && kvFlags.length > 0) {
			throw new UsageError(`check: --file and --${kvFlags[0]} exclude each other`);
		}
		let policy: CorsPolicy;
		let source: string;
		if (file !== undefined) {
			source = sourceName(file);
			policy = (await readValidDocument(file)).policy;
		} else {
			const stored = await readStored(kvTarget(values, "check"));
			source = stored.where;
			if (stored.text === null) {
				policy = refuseAll(`no allowlist is stored in ${stored.where}`);
			} else if (!stored.validation.ok) {
				printProblems(stored.validation.problems, []);
				note(
					`the allowlist in ${stored.where} is invalid: a gateway that loaded a valid one earlier keeps it, a freshly started one refuses every cross-origin request`,
				);
				policy = refuseAll(`the allowlist in ${stored.where} is invalid`);
			} else {
				policy = stored.validation.policy;
			}
		}
		const { approved, lines } = explain(policy, {
			origin: positionals[0] as string,
			method: (values.method as string | undefined) ?? "GET",
			headers: (values.header as string[] | undefined) ?? [],
			host: requestHost(values.host as string | undefined),
			path: requestPath(values.path as string | undefined),
		});
		for (const line of lines) say(line);
		say(`\n(decided with the allowlist in ${source})`);
		return approved ? 0 : 1;
	},
};

/** A usage error for a URL given to --path or --host: its host and path, apart. */
function urlGiven(option: string, value: string): UsageError {
	let split = "--host api.example.com --path /api/users";
	try {
		const url = new URL(value);
		if (url.hostname !== "") split = `--host ${url.hostname} --path ${url.pathname}`;
	} catch {
		// Not a URL after all: the example shows the form.
	}
	return new UsageError(
		`check: ${option} takes ${option === "--path" ? "the path" : "the host name"} alone, not a URL (got "${value}"); give the URL's host and path apart: ${split}`,
	);
}

/** --path: the request's path, as a page's URL has it after the host. */
function requestPath(path: string | undefined): string {
	if (path === undefined) return "/";
	if (/^[a-z][a-z0-9+.-]*:/i.test(path)) throw urlGiven("--path", path);
	if (!path.startsWith("/")) {
		throw new UsageError(`check: --path starts with / (got "${path}"); did you mean --path /${path}?`);
	}
	return path;
}

/** --host: a host name as route keys hold it (lowercase, punycode), or null when not given. */
function requestHost(host: string | undefined): string | null {
	if (host === undefined) return null;
	if (host.includes("/")) throw urlGiven("--host", host);
	const port = /^([^[]*):\d*$/.exec(host);
	if (port) {
		throw new UsageError(
			`check: --host takes a host name without a port (got "${host}"): routes match a host whatever its port; use --host ${port[1]}`,
		);
	}
	// The route keys' own host rules: a host no key could name is refused, not silently unmatched.
	const key = parseRouteKey(`${host}/`);
	if ("rule" in key || key.host === null) {
		const why = "rule" in key ? key.message : "it is empty";
		throw new UsageError(
			`check: --host "${host}" is not a host name: ${why}; give the request URL's host name, e.g. --host api.example.com`,
		);
	}
	return key.host;
}
