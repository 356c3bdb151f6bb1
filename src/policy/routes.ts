// The document's `routes` (docs/SPEC.md "Routes"): per-route policies keyed by route key.
// A route's effective policy is the fields it sets, and the top level's for the rest; every
// effective policy is held to every rule, and each problem names the route it is in.
import type { OriginMatcher } from "./matcher.ts";
import { describe } from "./origin-entry.ts";
import { parseRouteKey, type RouteKey } from "./route-key.ts";
import {
	checkCredentials,
	checkExposeHeaders,
	checkFieldNames,
	checkHeaders,
	checkMaxAge,
	checkMethods,
	checkMode,
	checkOrigins,
	type Mode,
	type PolicySettings,
	type Reporter,
} from "./settings.ts";

/** Most routes a document may have, and most origins a route may list (its own are never sharded). */
export const MAX_ROUTES = 1000;
export const MAX_ROUTE_ORIGINS = 10_000;

/** A route as a normalized document writes it: only the fields it sets. */
export interface RouteSettings {
	origins?: string[];
	credentials?: boolean;
	methods?: string[];
	headers?: string[];
	exposeHeaders?: string[];
	maxAge?: number;
	/** Kept as written, `"enforce"` too: it is what stops a route inheriting a reporting top level. */
	mode?: Mode;
}

/** A route ready to compile: its key, its effective policy and that policy's origin matcher. */
export interface ValidRoute {
	key: RouteKey;
	settings: PolicySettings;
	/** The route's own matcher, or the top level's when it inherits the origins. */
	matcher: OriginMatcher;
	/** True when the origins are the top level's (sharded ones included). */
	inheritsOrigins: boolean;
}

const FIELDS = ["origins", "credentials", "methods", "headers", "exposeHeaders", "maxAge", "mode"];
const ELSEWHERE = {
	shards:
		"the shard manifest is top-level only: list a route's own origins inline, or leave out its \"origins\" to use the top level's",
	routes: "routes do not nest: write the longer key at the top of routes",
	$schema: "remove it; $schema belongs at the top of the document",
};

/**
 * Checks `value` (the document's `routes`) against the top level's settings and matcher,
 * as validated: problems at the top level make the document invalid whatever this finds.
 */
export function checkRoutes(
	value: unknown,
	top: PolicySettings,
	topMatcher: OriginMatcher,
	r: Reporter,
): { routes: Record<string, RouteSettings>; valid: ValidRoute[] } {
	const routes: Record<string, RouteSettings> = {};
	const valid: ValidRoute[] = [];
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		r.problem(
			"routes",
			"routes-not-object",
			`expected an object of route key → route policy, got ${describe(value)}`,
			'write "routes": {"/fonts": {"origins": ["*"]}}',
		);
		return { routes, valid };
	}
	const keys = Object.keys(value);
	if (keys.length > MAX_ROUTES) {
		r.problem(
			"routes",
			"routes-too-many",
			`${keys.length} routes; a document has at most ${MAX_ROUTES}`,
			"merge routes that share a policy under their common prefix",
		);
		return { routes, valid };
	}
	const seen = new Map<string, string>();
	for (const raw of keys) {
		const base = `routes[${JSON.stringify(raw)}]`;
		const key = parseRouteKey(raw);
		if ("rule" in key) {
			r.problem(base, key.rule, `${JSON.stringify(raw)}: ${key.message}`, key.fix);
			continue;
		}
		const first = seen.get(key.text);
		if (first !== undefined) {
			r.problem(
				base,
				"route-duplicate",
				`${JSON.stringify(raw)} is the same route as ${JSON.stringify(first)} (both are "${key.text}")`,
				"merge the two into one",
			);
			continue;
		}
		seen.set(key.text, raw);
		const route = checkRoute((value as Record<string, unknown>)[raw], base, top, topMatcher, r);
		if (route === undefined) continue;
		routes[key.text] = route.set;
		valid.push({ key, ...route.effective });
	}
	return { routes, valid };
}

function checkRoute(
	value: unknown,
	base: string,
	top: PolicySettings,
	topMatcher: OriginMatcher,
	r: Reporter,
): { set: RouteSettings; effective: Omit<ValidRoute, "key"> } | undefined {
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		r.problem(
			base,
			"route-not-object",
			`expected the route's policy, an object, got ${describe(value)}`,
			`write {"origins": [...]} with the fields that differ from the top level (${FIELDS.join(", ")})`,
		);
		return undefined;
	}
	const route = value as Record<string, unknown>;
	checkFieldNames(route, FIELDS, `${base}.`, r, ELSEWHERE);
	if (r.warnings && Object.keys(route).length === 0)
		r.warn(base, "route-empty", "the route sets nothing, so it decides as the top level does", "remove it");

	const set: RouteSettings = {};
	if (route.credentials !== undefined) {
		checkCredentials(route.credentials, `${base}.credentials`, r);
		if (typeof route.credentials === "boolean") set.credentials = route.credentials;
	}
	const credentials = set.credentials ?? top.credentials;

	let matcher = topMatcher;
	if (route.origins !== undefined) {
		const list = route.origins;
		if (!Array.isArray(list)) {
			r.problem(`${base}.origins`, "origins-not-array", `expected an array of origins, got ${describe(list)}`);
		} else if (list.length > MAX_ROUTE_ORIGINS) {
			r.problem(
				`${base}.origins`,
				"route-origins-too-many",
				`${list.length} origins; a route lists at most ${MAX_ROUTE_ORIGINS} (its origins are never sharded)`,
				'put the large list at the top level, where it can be sharded, and leave out this route\'s "origins" to use it',
			);
		} else {
			const checked = checkOrigins(list, `${base}.origins`, credentials, r);
			matcher = checked.matcher;
			set.origins = checked.origins;
			if (r.warnings && list.length === 0)
				r.warn(
					`${base}.origins`,
					"origins-empty",
					"the list is empty: every cross-origin request to this route will be refused",
				);
		}
	} else if (set.credentials === true && topMatcher.any) {
		// The one rule that spans two fields, met across the route and the top level.
		r.problem(
			`${base}.credentials`,
			"wildcard-with-credentials",
			'"credentials": true with the top level\'s "*" origins: browsers refuse a wildcard on credentialed requests, and reflecting every origin would let any site act as the user',
			'give the route its own "origins", or leave credentials off',
		);
	}
	const inherits = set.origins === undefined;
	if (r.warnings && set.credentials === true && inherits) {
		const http = top.origins.find((o) => o.startsWith("http://"));
		if (http !== undefined)
			r.warn(
				`${base}.credentials`,
				"insecure-with-credentials",
				`the route turns credentials on for the top level's origins, plain http ones among them (${JSON.stringify(http)}): anyone on the network path can act as such an origin`,
				'give the route its own https "origins"',
			);
	}
	if (route.methods !== undefined) set.methods = checkMethods(route.methods, `${base}.methods`, r);
	if (route.headers !== undefined) set.headers = checkHeaders(route.headers, `${base}.headers`, r);
	if (route.exposeHeaders !== undefined)
		set.exposeHeaders = checkExposeHeaders(route.exposeHeaders, `${base}.exposeHeaders`, r);
	if (route.maxAge !== undefined) {
		checkMaxAge(route.maxAge, `${base}.maxAge`, r);
		if (typeof route.maxAge === "number") set.maxAge = route.maxAge;
	}
	if (route.mode !== undefined) {
		const mode = checkMode(route.mode, `${base}.mode`, r);
		if (mode !== undefined) set.mode = mode;
	}
	const mode = set.mode ?? top.mode ?? "enforce";

	const settings: PolicySettings = {
		origins: set.origins ?? top.origins,
		credentials,
		methods: set.methods ?? top.methods,
		headers: set.headers ?? top.headers,
		exposeHeaders: set.exposeHeaders ?? top.exposeHeaders,
		maxAge: set.maxAge ?? top.maxAge,
		...(inherits && top.shards ? { shards: top.shards } : {}),
		...(mode === "report-only" ? { mode } : {}),
	};
	// In the order of FIELDS, whatever the order written: the normalized form is one text.
	const ordered = Object.fromEntries(FIELDS.flatMap((f) => (f in set ? [[f, set[f as keyof RouteSettings]]] : [])));
	return { set: ordered, effective: { settings, matcher, inheritsOrigins: inherits } };
}
