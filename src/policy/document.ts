// Parses and validates the allowlist document (docs/SPEC.md), collecting every problem with
// where it is, what rule it breaks and how to fix it. The Worker and the command line
// both go through here, so a document is judged the same way everywhere.

import { OriginMatcher } from "./matcher.ts";
import { describe } from "./origin-entry.ts";
import { checkRoutes, type RouteSettings, type ValidRoute } from "./routes.ts";
import {
	checkCredentials,
	checkExposeHeaders,
	checkFieldNames,
	checkHeaders,
	checkMaxAge,
	checkMethods,
	checkMode,
	checkOrigins,
	DEFAULTS,
	type PolicySettings,
	type PublicSuffixes,
	type Reporter,
} from "./settings.ts";
import { checkShardManifest } from "./shard-manifest.ts";

/** The document in normalized form: what `cors-gateway validate --print` shows. */
export interface AllowlistDocument extends PolicySettings {
	$schema?: string;
	/** Per-route policies by normalized route key: only the fields each route sets. */
	routes?: Record<string, RouteSettings>;
}

/** One problem (or, in `warnings`, one risky but valid choice) in a document. */
export interface Problem {
	/** Where: `origins[2]`, `maxAge`, `routes["/fonts"].credentials`, or `` for the document itself. */
	path: string;
	/** Machine-readable rule name, e.g. `origin-has-path`. */
	rule: string;
	message: string;
	fix?: string;
}

export type Validation =
	/**
	 * `matcher`: the origins, compiled while they were checked; CorsPolicy takes it as is.
	 * `routes`: each route's effective policy, in the document's order (empty without routes).
	 */
	| { ok: true; document: AllowlistDocument; matcher: OriginMatcher; routes: ValidRoute[]; warnings: Problem[] }
	| { ok: false; problems: Problem[]; warnings: Problem[] };

const FIELDS = [
	"$schema",
	"origins",
	"credentials",
	"methods",
	"headers",
	"exposeHeaders",
	"maxAge",
	"shards",
	"mode",
	"routes",
];

/** `origins[2]: "https://a.example/": the entry has a path … (fix: use "https://a.example") [origin-has-path]` */
export function formatProblem(p: Problem): string {
	return `${p.path === "" ? "document" : p.path}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ""} [${p.rule}]`;
}

export function validateAllowlistText(text: string, options?: ValidateOptions): Validation {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		// JSON.parse throws nothing but SyntaxError.
		const detail = (e as SyntaxError).message;
		return {
			ok: false,
			problems: [{ path: "", rule: "json-syntax", message: `not valid JSON: ${detail}` }],
			warnings: [],
		};
	}
	return validateAllowlist(value, options);
}

export interface ValidateOptions {
	/**
	 * Whether to look for risky but valid choices (default true). The Worker has nobody to
	 * show them to and skips them: a tenth of compiling a large list at a cold start.
	 * Problems are found either way; so are repeats, which the matcher detects for free.
	 */
	warnings?: boolean;
	/**
	 * The Public Suffix List, from the command line: a wildcard or glob on a public suffix is
	 * then a problem. Without it (the Worker) no entry is refused for its suffix.
	 */
	publicSuffixes?: PublicSuffixes;
}

export function validateAllowlist(value: unknown, options: ValidateOptions = {}): Validation {
	const problems: Problem[] = [];
	const warnings: Problem[] = [];
	const into = (list: Problem[]) => (path: string, rule: string, message: string, fix?: string) =>
		list.push(fix === undefined ? { path, rule, message } : { path, rule, message, fix });
	const r: Reporter = {
		problem: into(problems),
		warn: into(warnings),
		warnings: options.warnings ?? true,
		...(options.publicSuffixes ? { publicSuffixes: options.publicSuffixes } : {}),
	};

	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		r.problem(
			"",
			"document-not-object",
			`the document must be a JSON object, got ${describe(value)}`,
			'start from {"origins": ["https://app.example.com"]}',
		);
		return { ok: false, problems, warnings };
	}
	const doc = value as Record<string, unknown>;
	checkFieldNames(doc, FIELDS, "", r);

	const schema = doc.$schema;
	if (schema !== undefined && typeof schema !== "string")
		r.problem("$schema", "schema-not-string", `expected a string, got ${describe(schema)}`);

	const credentials = doc.credentials ?? DEFAULTS.credentials;
	checkCredentials(credentials, "credentials", r);
	const maxAge = doc.maxAge ?? DEFAULTS.maxAge;
	checkMaxAge(maxAge, "maxAge", r);

	let matcher = new OriginMatcher();
	let origins: string[] = [];
	if (!("origins" in doc)) {
		r.problem(
			"origins",
			"origins-missing",
			'the document has no "origins" list',
			'add "origins": ["https://app.example.com"]',
		);
	} else if (!Array.isArray(doc.origins)) {
		r.problem("origins", "origins-not-array", `expected an array of origins, got ${describe(doc.origins)}`);
	} else {
		({ matcher, origins } = checkOrigins(doc.origins, "origins", credentials, r));
		if (doc.origins.length === 0 && doc.shards === undefined)
			r.warn("origins", "origins-empty", "the list is empty: every cross-origin request will be refused");
	}

	const methods = checkMethods(doc.methods ?? DEFAULTS.methods, "methods", r);
	const headers = checkHeaders(doc.headers ?? DEFAULTS.headers, "headers", r);
	const exposeHeaders = checkExposeHeaders(doc.exposeHeaders ?? DEFAULTS.exposeHeaders, "exposeHeaders", r);
	const shards = doc.shards === undefined ? undefined : checkShardManifest(doc.shards, r.problem);
	const mode = doc.mode === undefined ? "enforce" : checkMode(doc.mode, "mode", r);
	const top: PolicySettings = {
		origins,
		credentials: credentials === true,
		methods,
		headers,
		exposeHeaders,
		maxAge: maxAge as number,
		...(shards ? { shards } : {}),
		// Written only when it reports, so that enforcing documents normalize as they always have.
		...(mode === "report-only" ? { mode } : {}),
	};
	const routes = doc.routes === undefined ? undefined : checkRoutes(doc.routes, top, matcher, r);

	if (problems.length > 0) return { ok: false, problems, warnings };
	const document: AllowlistDocument = {
		...(typeof schema === "string" ? { $schema: schema } : {}),
		...top,
		...(routes ? { routes: routes.routes } : {}),
	};
	return { ok: true, document, matcher, routes: routes?.valid ?? [], warnings };
}
