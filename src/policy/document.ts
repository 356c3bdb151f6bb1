// Parses and validates the allowlist document (docs/SPEC.md), collecting every problem with
// where it is, what rule it breaks and how to fix it. The Worker and the command line
// both go through here, so a document is judged the same way everywhere.

import { canonicalEntryKind } from "./canonical-entry.ts";
import {
	FORBIDDEN_METHODS,
	isForbiddenRequestHeader,
	isForbiddenResponseHeader,
	isToken,
	NORMALIZED_METHODS,
	SAFELISTED_METHODS,
} from "./header-names.ts";
import { OriginMatcher } from "./matcher.ts";
import { canonicalWildcard, describe, entryText, type OriginEntry, parseOriginEntry } from "./origin-entry.ts";
import { checkShardManifest, type ShardManifest } from "./shard-manifest.ts";

export const MAX_MAX_AGE = 86400;

/** The document in normalized form: what `cors-gateway validate --print` shows. */
export interface AllowlistDocument {
	$schema?: string;
	origins: string[];
	credentials: boolean;
	methods: string[];
	headers: string[];
	exposeHeaders: string[];
	maxAge: number;
	/** A large allowlist's origins live in KV shards named by this manifest, besides `origins`. */
	shards?: ShardManifest;
}

export const DEFAULTS = {
	credentials: false,
	methods: SAFELISTED_METHODS,
	headers: [] as readonly string[],
	exposeHeaders: [] as readonly string[],
	maxAge: 600,
} as const;

/** One problem (or, in `warnings`, one risky but valid choice) in a document. */
export interface Problem {
	/** Where: `origins[2]`, `maxAge`, or `` for the document itself. */
	path: string;
	/** Machine-readable rule name, e.g. `origin-has-path`. */
	rule: string;
	message: string;
	fix?: string;
}

export type Validation =
	/** `matcher`: the origins, compiled while they were checked; CorsPolicy takes it as is. */
	| { ok: true; document: AllowlistDocument; matcher: OriginMatcher; warnings: Problem[] }
	| { ok: false; problems: Problem[]; warnings: Problem[] };

const FIELDS = ["$schema", "origins", "credentials", "methods", "headers", "exposeHeaders", "maxAge", "shards"];

/** `origins[2]: "https://a.example/": the entry has a path … (fix: use "https://a.example") [origin-has-path]` */
export function formatProblem(p: Problem): string {
	return `${p.path === "" ? "document" : p.path}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ""} [${p.rule}]`;
}

// Second-level suffixes and shared hosting domains: a wildcard on one trusts strangers.
const SHARED_SUFFIXES = new Set([
	"appspot.com",
	"azurewebsites.net",
	"cloudfront.net",
	"firebaseapp.com",
	"github.io",
	"herokuapp.com",
	"netlify.app",
	"pages.dev",
	"vercel.app",
	"web.app",
	"workers.dev",
]);
const SECOND_LEVEL = new Set(["ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"]);

/** `suffix` as in a wildcard entry: `.example.com` or `.example.com:8443`. */
function isSharedSuffix(suffix: string): boolean {
	const colon = suffix.indexOf(":");
	const domain = colon < 0 ? suffix.slice(1) : suffix.slice(1, colon);
	if (SHARED_SUFFIXES.has(domain)) return true;
	const dot = domain.indexOf(".");
	return dot > 0 && domain.indexOf(".", dot + 1) < 0 && SECOND_LEVEL.has(domain.slice(0, dot));
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
}

export function validateAllowlist(value: unknown, options: ValidateOptions = {}): Validation {
	const withWarnings = options.warnings ?? true;
	const problems: Problem[] = [];
	const warnings: Problem[] = [];
	const problem = (path: string, rule: string, message: string, fix?: string) =>
		problems.push(fix === undefined ? { path, rule, message } : { path, rule, message, fix });
	const warn = (path: string, rule: string, message: string, fix?: string) =>
		warnings.push(fix === undefined ? { path, rule, message } : { path, rule, message, fix });

	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		problem(
			"",
			"document-not-object",
			`the document must be a JSON object, got ${describe(value)}`,
			'start from {"origins": ["https://app.example.com"]}',
		);
		return { ok: false, problems, warnings };
	}
	const doc = value as Record<string, unknown>;
	for (const key of Object.keys(doc)) {
		if (!FIELDS.includes(key)) {
			const near = FIELDS.find((f) => closeTo(key, f));
			problem(
				key,
				"unknown-field",
				`unknown field "${key}"`,
				near ? `did you mean "${near}"?` : `remove it; the fields are ${FIELDS.join(", ")}`,
			);
		}
	}

	const schema = doc.$schema;
	if (schema !== undefined && typeof schema !== "string")
		problem("$schema", "schema-not-string", `expected a string, got ${describe(schema)}`);

	const credentials = doc.credentials ?? DEFAULTS.credentials;
	if (typeof credentials !== "boolean")
		problem("credentials", "credentials-not-boolean", `expected true or false, got ${describe(credentials)}`);

	const maxAge = doc.maxAge ?? DEFAULTS.maxAge;
	if (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_MAX_AGE) {
		problem(
			"maxAge",
			"max-age-range",
			`expected a whole number of seconds from 0 to ${MAX_MAX_AGE}, got ${describe(maxAge)}`,
			typeof maxAge === "number" && maxAge > MAX_MAX_AGE ? `use ${MAX_MAX_AGE}` : undefined,
		);
	}

	// origins
	const matcher = new OriginMatcher(Array.isArray(doc.origins) ? doc.origins.length : 0);
	const origins: string[] = [];
	if (!("origins" in doc)) {
		problem(
			"origins",
			"origins-missing",
			'the document has no "origins" list',
			'add "origins": ["https://app.example.com"]',
		);
	} else if (!Array.isArray(doc.origins)) {
		problem("origins", "origins-not-array", `expected an array of origins, got ${describe(doc.origins)}`);
	} else {
		const list: unknown[] = doc.origins;
		// Built only for a problem: a million-entry list must not pay for a million paths.
		const at = (i: number) => `origins[${i}]`;
		for (let i = 0; i < list.length; i++) {
			const raw = list[i];
			const kind = typeof raw === "string" ? canonicalEntryKind(raw) : undefined;
			// The common case allocates nothing: a canonical exact entry is its own key.
			let entry: OriginEntry | undefined;
			let normal: string;
			let added: boolean;
			if (kind === "exact") {
				normal = raw as string;
				added = matcher.addExact(normal);
			} else {
				const parsed = kind === "wildcard" ? canonicalWildcard(raw as string) : parseOriginEntry(raw);
				if ("rule" in parsed) {
					problem(at(i), parsed.rule, `${JSON.stringify(raw)}: ${parsed.message}`, parsed.fix);
					continue;
				}
				entry = parsed;
				normal = entryText(entry);
				added = matcher.add(entry);
			}
			if (!added) {
				warn(at(i), "duplicate", `${JSON.stringify(raw)} is listed already (as "${normal}")`, "remove the repeat");
				continue;
			}
			if (entry?.kind === "any" && credentials === true) {
				problem(
					at(i),
					"wildcard-with-credentials",
					'"*" cannot be used with "credentials": true: browsers refuse a wildcard on credentialed requests, and reflecting every origin would let any site act as the user',
					'list the origins explicitly, or set "credentials": false',
				);
			}
			if (withWarnings) {
				if (entry?.kind === "null")
					warn(
						at(i),
						"null-origin",
						'"null" is the origin of sandboxed iframes, data: URLs and local files: any site can produce it',
					);
				if (credentials === true && normal.startsWith("http://")) {
					warn(
						at(i),
						"insecure-with-credentials",
						`${JSON.stringify(normal)} is plain http with credentials on: anyone on the network path can act as that origin`,
						`use "https://${normal.slice(7)}" if the site supports it`,
					);
				}
				if (entry?.kind === "wildcard" && isSharedSuffix(entry.suffix)) {
					warn(
						at(i),
						"broad-wildcard",
						`${JSON.stringify(normal)} trusts every site under "${entry.suffix.slice(1)}", a suffix many unrelated owners register under`,
						"list your own subdomains instead",
					);
				}
			}
			origins.push(normal);
		}
		if (list.length === 0 && doc.shards === undefined)
			warn("origins", "origins-empty", "the list is empty: every cross-origin request will be refused");
	}

	const methods = checkList(doc, "methods", DEFAULTS.methods, problem, (m, path) => {
		// "*" is a token, and a method name to the Fetch standard only without credentials; docs/SPEC.md refuses it.
		if (m === "*")
			return problem(path, "method-wildcard", '"*" is only allowed in "origins"', "list the methods pages send");
		if (!isToken(m)) return problem(path, "method-not-token", `${JSON.stringify(m)} is not a valid HTTP method name`);
		const upper = m.toUpperCase();
		if (FORBIDDEN_METHODS.has(upper))
			return problem(path, "method-forbidden", `${m} is never allowed cross-origin`, "remove it");
		if (m !== upper && NORMALIZED_METHODS.has(upper)) {
			return problem(
				path,
				"method-case",
				`browsers send "${upper}" in upper case, so "${m}" would never match`,
				`use "${upper}"`,
			);
		}
		if (m !== upper)
			warn(
				path,
				"method-case",
				`methods are case-sensitive and "${m}" is sent exactly as the page writes it`,
				`use "${upper}" if that is what pages send`,
			);
		return m;
	});

	const headers = checkList(doc, "headers", DEFAULTS.headers, problem, (h, path) => {
		if (h === "*")
			return problem(path, "header-wildcard", '"*" is only allowed in "origins"', "list the header names pages send");
		if (!isToken(h)) return problem(path, "header-not-token", `${JSON.stringify(h)} is not a valid header name`);
		const lower = h.toLowerCase();
		if (isForbiddenRequestHeader(lower))
			return problem(
				path,
				"header-forbidden",
				`"${lower}" is a forbidden request header: browsers set it themselves and never let a page send it`,
				"remove it",
			);
		return lower;
	});

	const exposeHeaders = checkList(doc, "exposeHeaders", DEFAULTS.exposeHeaders, problem, (h, path) => {
		if (h === "*")
			return problem(
				path,
				"header-wildcard",
				'"*" is only allowed in "origins"',
				"list the response header names pages may read",
			);
		if (!isToken(h)) return problem(path, "header-not-token", `${JSON.stringify(h)} is not a valid header name`);
		const lower = h.toLowerCase();
		if (isForbiddenResponseHeader(lower))
			return problem(path, "expose-forbidden", `"${lower}" can never be exposed to a page`, "remove it");
		return lower;
	});

	const shards = doc.shards === undefined ? undefined : checkShardManifest(doc.shards, problem);

	if (problems.length > 0) return { ok: false, problems, warnings };
	const document: AllowlistDocument = {
		...(typeof schema === "string" ? { $schema: schema } : {}),
		origins,
		credentials: credentials as boolean,
		methods,
		headers,
		exposeHeaders,
		maxAge: maxAge as number,
		...(shards ? { shards } : {}),
	};
	return { ok: true, document, matcher, warnings };
}

/** Checks one string list; `each` returns the normalized item or nothing for a problem. Repeats are dropped. */
function checkList(
	doc: Record<string, unknown>,
	field: string,
	fallback: readonly string[],
	problem: (path: string, rule: string, message: string, fix?: string) => unknown,
	each: (item: string, path: string) => string | unknown,
): string[] {
	const list = doc[field] ?? fallback;
	if (!Array.isArray(list)) {
		problem(field, "not-array", `expected an array of strings, got ${describe(list)}`);
		return [];
	}
	const out = new Set<string>();
	list.forEach((item, i) => {
		const path = `${field}[${i}]`;
		if (typeof item !== "string") {
			problem(path, "not-string", `expected a string, got ${describe(item)}`);
			return;
		}
		const normal = each(item, path);
		if (typeof normal === "string") out.add(normal);
	});
	return [...out];
}

/** A likely typo: same letters ignoring case, or one edit apart. */
function closeTo(a: string, b: string): boolean {
	const x = a.toLowerCase();
	const y = b.toLowerCase();
	if (x === y || x === `${y}s` || `${x}s` === y) return true;
	if (Math.abs(x.length - y.length) > 1) return false;
	let i = 0;
	while (i < x.length && x[i] === y[i]) i++;
	return x.slice(i + 1) === y.slice(i + 1) || x.slice(i + 1) === y.slice(i) || x.slice(i) === y.slice(i + 1);
}
