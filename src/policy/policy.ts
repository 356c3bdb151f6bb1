// The compiled policy: everything that does not depend on the request is computed once
// per document (the origin matcher by validation, as it checks each entry; the rest here),
// so that deciding a request is a scan, a hash lookup or two, and at most one pass over
// `Access-Control-Request-Headers`.
import type { AllowlistDocument } from "./document.ts";
import { SAFELISTED_METHODS, SAFELISTED_REQUEST_HEADERS } from "./header-names.ts";
import { OriginMatcher } from "./matcher.ts";
import { canonicalOrigin, isOriginKey, type OriginFault } from "./origin.ts";
import { checkRequestHeaders } from "./request-headers.ts";
import { RouteTable } from "./route-table.ts";
import type { ValidRoute } from "./routes.ts";

export type RefusalReason =
	| "no-allowlist"
	| "allowlist-unavailable"
	| OriginFault
	| "origin-not-allowed"
	| "preflight-method-empty"
	| "method-not-allowed"
	| "header-not-allowed"
	| "request-headers-too-long"
	| "request-headers-malformed";

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface CorsRequest {
	method: string;
	/** The `Origin` header as received (several headers arrive joined by ", "), or null. */
	origin: string | null;
	/** `Access-Control-Request-Method`, or null when absent. */
	requestMethod: string | null;
	/** `Access-Control-Request-Headers`, or null when absent. */
	requestHeaders: string | null;
	/** The Worker's own origin, as `URL#origin` serializes it. */
	selfOrigin: string;
	/** The request URL's host, as `URL#hostname` gives it: chooses the route (docs/SPEC.md "Routes"). */
	host: string;
	/** The request URL's path, as `URL#pathname` gives it (no query): chooses the route. */
	path: string;
}

/**
 * Origins held outside the document (a sharded allowlist). `match` answers from memory
 * when it can: the admitting entry, null for none, undefined when a shard must be read.
 * `find` reads what is missing: the entry, null for none, undefined when it could not.
 */
export interface OriginSource {
	match(key: string): string | null | undefined;
	find(key: string): Promise<string | null | undefined>;
}

/** The origin must be looked up in `source` first; `resolve` then gives the decision. */
export interface Lookup {
	action: "lookup";
	key: string;
	source: OriginSource;
	resolve(entry: string | null | undefined): Decision;
}

/** Every decision names the route whose policy made it: its normalized key, or null for the top level. */
export type Decision =
	/** An approved preflight: answer `204` with `headers`, never forward. */
	| { action: "preflight"; headers: HeaderList; entry: string; route: string | null }
	/** Forward; set `headers` on the response, drop the upstream's `Access-Control-*`, merge `vary` into `Vary`. */
	| { action: "forward"; cors: boolean; headers: HeaderList; vary: string | null; entry?: string; route: string | null }
	/** Answer `403` with `headers` (only `Vary`), never forward. `detail` names what was refused. */
	| {
			action: "refuse";
			preflight: boolean;
			headers: HeaderList;
			reason: RefusalReason;
			detail: string;
			route: string | null;
	  };

const ACAO = "Access-Control-Allow-Origin";
const VARY_ORIGIN = "Origin";
const VARY_PREFLIGHT = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/**
 * What `decide` may answer: a decision, or also a lookup when the policy has an origin
 * source (a sharded allowlist). In-memory policies are typed to never ask for one.
 */
export type Outcome<Source extends OriginSource | undefined> = Source extends OriginSource
	? Decision | Lookup
	: Decision;

/** The decision, once the lookup it may need is done. */
export async function settle(outcome: Decision | Lookup): Promise<Decision> {
	return outcome.action === "lookup" ? outcome.resolve(await outcome.source.find(outcome.key)) : outcome;
}

/** A policy that may or may not have an origin source: what the Worker's store holds. */
export type AnyCorsPolicy = CorsPolicy<OriginSource | undefined>;

/** What a validated document compiles from (`Validation`'s fields), with `source` for a sharded one's origins. */
export interface ValidPolicy<Source> {
	document: AllowlistDocument;
	matcher: OriginMatcher;
	routes?: readonly ValidRoute[];
	source?: Source;
}

export class CorsPolicy<Source extends OriginSource | undefined = undefined> {
	/** The whole document (a route's policy: its effective settings); null when none is loaded. */
	readonly document: AllowlistDocument | null;
	/** The route key this policy decides for; null for the top level. */
	readonly route: string | null;
	/** This policy reports instead of enforcing (docs/SPEC.md "Report-only mode"). */
	readonly reportOnly: boolean;
	/**
	 * This policy or one of its routes reports: only then must a request's route be chosen
	 * before deciding, so enforcing documents pay one property read for report-only mode.
	 */
	readonly reports: boolean;
	/** The routes' policies; undefined without routes, so that deciding costs no lookup. */
	private readonly routes?: RouteTable<AnyCorsPolicy>;
	private readonly validRoutes?: readonly ValidRoute[];
	private readonly matcher: OriginMatcher;
	private readonly allowedMethods: ReadonlySet<string>;
	private readonly allowedHeaders: ReadonlySet<string>;
	private readonly preflightTail: HeaderList;
	private readonly actualTail: HeaderList;
	private readonly notCors: Decision;
	private readonly refusalHeaders: HeaderList = [["Vary", VARY_ORIGIN]];
	private readonly preflightRefusalHeaders: HeaderList = [["Vary", VARY_PREFLIGHT]];
	private readonly starDecisions?: { preflight: Decision; forward: Decision };
	/** Why there is no document, for policies that refuse every cross-origin request. */
	private readonly missing?: string;

	private readonly source: Source;

	/**
	 * A policy from a validated document and the matcher its validation built (with
	 * `source` for the origins of its shards), or (with `missing`) one that refuses every
	 * cross-origin request. Each route's policy is compiled here, once; routes that inherit
	 * the top level's origins share its matcher and its `source`.
	 */
	constructor(valid: ValidPolicy<Source> | { missing: string }, route: string | null = null) {
		const document = "document" in valid ? valid.document : null;
		this.document = document;
		this.route = route;
		this.source = ("source" in valid ? valid.source : undefined) as Source;
		this.reportOnly = document?.mode === "report-only";
		this.reports =
			this.reportOnly || ("routes" in valid && valid.routes?.some((r) => r.settings.mode === "report-only") === true);
		if ("missing" in valid) this.missing = valid.missing;
		else if (valid.routes !== undefined && valid.routes.length > 0) {
			const source = valid.source;
			this.validRoutes = valid.routes;
			this.routes = new RouteTable(
				valid.routes.map((r) => [
					r.key,
					new CorsPolicy<OriginSource | undefined>(
						{ document: r.settings, matcher: r.matcher, source: r.inheritsOrigins ? source : undefined },
						r.key.text,
					),
				]),
			);
		}
		this.matcher = "matcher" in valid ? valid.matcher : new OriginMatcher();
		this.allowedMethods = new Set([...SAFELISTED_METHODS, ...(document?.methods ?? [])]);
		const headers = document?.headers ?? [];
		this.allowedHeaders = new Set([...SAFELISTED_REQUEST_HEADERS, ...headers]);

		const credentials: HeaderList = document?.credentials ? [["Access-Control-Allow-Credentials", "true"]] : [];
		this.preflightTail = [
			["Access-Control-Allow-Methods", (document?.methods ?? []).join(", ")],
			["Access-Control-Allow-Headers", [...this.allowedHeaders].join(", ")],
			["Access-Control-Max-Age", String(document?.maxAge ?? 0)],
			...credentials,
			["Vary", VARY_PREFLIGHT],
		];
		const expose = document?.exposeHeaders ?? [];
		this.actualTail = [
			...credentials,
			...(expose.length > 0 ? [["Access-Control-Expose-Headers", expose.join(", ")] as const] : []),
		];

		if (this.matcher.any) {
			// "*": the answer no longer depends on Origin, so it is computed once.
			this.notCors = { action: "forward", cors: false, headers: [[ACAO, "*"], ...this.actualTail], vary: null, route };
			this.starDecisions = {
				preflight: { action: "preflight", headers: [[ACAO, "*"], ...this.preflightTail], entry: "*", route },
				forward: {
					action: "forward",
					cors: true,
					headers: [[ACAO, "*"], ...this.actualTail],
					vary: null,
					entry: "*",
					route,
				},
			};
		} else {
			this.notCors = { action: "forward", cors: false, headers: [], vary: VARY_ORIGIN, route };
		}
	}

	/** This policy, with the origins of a sharded allowlist's shards looked up in `source`. */
	withSource(source: OriginSource): CorsPolicy<OriginSource> {
		if (this.document === null) throw new Error("a policy without a document has no origins to extend");
		const valid = { document: this.document, matcher: this.matcher, source };
		return new CorsPolicy(this.validRoutes ? { ...valid, routes: this.validRoutes } : valid, this.route);
	}

	/** Decided by the policy of the request's route (docs/SPEC.md "Routes"), or the top level's. */
	decide(req: CorsRequest): Outcome<Source> {
		if (this.routes === undefined) return this.decideAny(req) as Outcome<Source>;
		return (this.policyFor(req.host, req.path) as CorsPolicy<Source>).decideAny(req) as Outcome<Source>;
	}

	/**
	 * The policy `decide` uses for a request to `host` and `path`: its route's, or this one.
	 * Its `document` holds the effective settings, for explaining a decision.
	 */
	policyFor(host: string, path: string): AnyCorsPolicy {
		return this.routes?.lookup(host, path) ?? this;
	}

	private decideAny(req: CorsRequest): Decision | Lookup {
		const origin = req.origin;
		if (origin === null || origin === req.selfOrigin) return this.notCors;
		const preflight = req.method === "OPTIONS" && req.requestMethod !== null;

		const key = canonicalOrigin(origin);
		if (!isOriginKey(key)) return this.refuse(preflight, key as OriginFault, origin);
		if (key === req.selfOrigin) return this.notCors;
		// "*" admits every serialized origin and names none; the opaque origin "null" only
		// when listed literally (docs/SPEC.md), so it always goes through the matcher.
		let entry: string | null | undefined = this.matcher.any && key !== "null" ? "*" : this.matcher.match(key);
		if (entry === undefined) entry = this.source === undefined ? null : this.source.match(key);
		if (entry === undefined) {
			const source = this.source as OriginSource;
			return { action: "lookup", key, source, resolve: (found) => this.admit(req, preflight, found) };
		}
		return this.admit(req, preflight, entry);
	}

	/** The decision once the origin's entry is known: null when none admits it, undefined when it could not be read. */
	private admit(req: CorsRequest, preflight: boolean, entry: string | null | undefined): Decision {
		const origin = req.origin as string;
		if (entry === undefined) return this.refuse(preflight, "allowlist-unavailable", origin);
		if (entry === null) {
			return this.refuse(
				preflight,
				this.missing === undefined ? "origin-not-allowed" : "no-allowlist",
				this.missing ?? origin,
			);
		}

		if (preflight) {
			const method = req.requestMethod as string;
			if (method === "") return this.refuse(true, "preflight-method-empty", "Access-Control-Request-Method is empty");
			if (!this.allowedMethods.has(method)) return this.refuse(true, "method-not-allowed", method);
			if (req.requestHeaders !== null) {
				const fault = checkRequestHeaders(req.requestHeaders, this.allowedHeaders);
				if (fault)
					return this.refuse(
						true,
						fault.reason,
						"header" in fault ? fault.header : `${req.requestHeaders.length} bytes`,
					);
			}
			return (
				this.starDecisions?.preflight ?? {
					action: "preflight",
					headers: [[ACAO, origin], ...this.preflightTail],
					entry,
					route: this.route,
				}
			);
		}
		return (
			this.starDecisions?.forward ?? {
				action: "forward",
				cors: true,
				headers: [[ACAO, origin], ...this.actualTail],
				vary: VARY_ORIGIN,
				entry,
				route: this.route,
			}
		);
	}

	private refuse(preflight: boolean, reason: RefusalReason, detail: string): Decision {
		return {
			action: "refuse",
			preflight,
			headers: preflight ? this.preflightRefusalHeaders : this.refusalHeaders,
			reason,
			detail,
			route: this.route,
		};
	}
}
