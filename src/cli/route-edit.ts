// `add --route` and `remove --route`: edits of one route's own origins, as candidate
// documents for the validator. A route's origins replace the top level's, never merge
// (docs/SPEC.md "Routes"), so an edit that changes which list a route uses says so, and
// giving a route that uses the top level's origins a list of its own must be asked for.
import type { AllowlistDocument, CorsPolicy, RouteKey, RouteSettings } from "../policy/index.ts";
import { Refusal, UsageError } from "./errors.ts";
import { plural } from "./output.ts";

export interface Edit {
	candidate: AllowlistDocument;
	/** What the change does beyond its diff lines, for stderr. */
	notes: string[];
}

/** `entries` not yet in `list`, with a note for each one that is. */
function addable(list: readonly string[], entries: readonly string[], where: string, notes: string[]): string[] {
	const fresh = entries.filter((e) => !list.includes(e));
	for (const e of entries) if (!fresh.includes(e)) notes.push(`note: ${e} is listed already${where}`);
	return fresh;
}

/** The keys of the routes whose origins are (`inherit`) or are not the top level's, in key order. */
function routesThat(document: AllowlistDocument, inherit: boolean): string[] {
	return Object.entries(document.routes ?? {})
		.filter(([, route]) => (route.origins === undefined) === inherit)
		.map(([key]) => key)
		.sort();
}

/** A route that is not in the document, for `list --route` and `remove --route`. */
export function noSuchRoute(key: string, document: AllowlistDocument, consequence: string): Refusal {
	const keys = Object.keys(document.routes ?? {}).sort();
	const known = keys.length === 0 ? "the allowlist has no routes" : `its routes are ${keys.join(", ")}`;
	return new Refusal(`no route ${key} in the allowlist (${known})${consequence}`);
}

/** `add ORIGIN...`: to the top level's origins, which every route without its own uses. */
export function addToTop(document: AllowlistDocument, entries: readonly string[]): Edit {
	const notes: string[] = [];
	const fresh = addable(document.origins, entries, "", notes);
	const own = routesThat(document, false);
	if (fresh.length > 0 && own.length > 0)
		notes.push(
			`note: routes with origins of their own (${own.join(", ")}) do not admit these; add them there with --route KEY`,
		);
	return { candidate: { ...document, origins: [...document.origins, ...fresh] }, notes };
}

/** `remove ORIGIN...` from the top level: every listed, or nothing. */
export function removeFromTop(document: AllowlistDocument, entries: readonly string[]): Edit {
	const missing = entries.filter((e) => !document.origins.includes(e));
	// A typo must not pass for a revocation: all or nothing.
	if (missing.length > 0) {
		throw new Refusal(
			`not in the allowlist: ${missing.join(", ")}; nothing removed (run "cors-gateway list" to see the entries)`,
		);
	}
	const inheriting = routesThat(document, true);
	const notes =
		inheriting.length > 0
			? [`note: routes that use the top level's origins (${inheriting.join(", ")}) stop admitting these too`]
			: [];
	return { candidate: { ...document, origins: document.origins.filter((o) => !entries.includes(o)) }, notes };
}

/**
 * `add --route KEY ORIGIN...`: to the route's own origins. A new route is created with just
 * these; a route that uses the top level's origins gets these instead of them, only with
 * `stopInheriting`. `policy`: the stored document's, to say what decided the new route's paths.
 */
export function addToRoute(
	document: AllowlistDocument,
	key: RouteKey,
	entries: readonly string[],
	options: { stopInheriting: boolean; policy?: CorsPolicy },
): Edit {
	const notes: string[] = [];
	const routes = document.routes ?? {};
	const route: RouteSettings | undefined = routes[key.text];
	const top = plural(document.origins.length, "origin");
	if (route === undefined) {
		const before = options.policy?.policyFor(key.host ?? "", key.prefix).route ?? null;
		notes.push(
			`note: route ${key.text} is new: requests to it are decided by it from now on (until now: ${before === null ? "the top level" : `route ${before}`}), with just these origins and the top level's other settings`,
		);
	} else if (route.origins === undefined) {
		if (!options.stopInheriting) {
			throw new UsageError(
				`route ${key.text} uses the top level's ${top}; a list of its own replaces them, never adds to them, so it would admit only ${entries.join(", ")}. Re-run with --stop-inheriting if that is what you mean, or run "cors-gateway add ${entries.join(" ")}" to add to the top level's origins, which the route uses; nothing added`,
			);
		}
		notes.push(
			`note: route ${key.text} gets origins of its own: it no longer admits the top level's ${top}, only these`,
		);
	}
	const own = route?.origins ?? [];
	const fresh = addable(own, entries, ` in route ${key.text}`, notes);
	const next: RouteSettings = { ...route, origins: [...own, ...fresh] };
	return { candidate: { ...document, routes: { ...routes, [key.text]: next } }, notes };
}

/** `remove --route KEY ORIGIN...`: from the route's own origins, every listed, or nothing. */
export function removeFromRoute(document: AllowlistDocument, key: RouteKey, entries: readonly string[]): Edit {
	const route = document.routes?.[key.text];
	if (route === undefined) throw noSuchRoute(key.text, document, "; nothing removed");
	if (route.origins === undefined) {
		throw new Refusal(
			`route ${key.text} has no origins of its own: it uses the top level's; nothing removed (to stop admitting an origin there and wherever the top level's origins apply, run "cors-gateway remove ORIGIN")`,
		);
	}
	const own = route.origins;
	const missing = entries.filter((e) => !own.includes(e));
	if (missing.length > 0) {
		throw new Refusal(
			`not in the origins of route ${key.text}: ${missing.join(", ")}; nothing removed (run "cors-gateway list --route ${key.text}" to see them)`,
		);
	}
	const next: RouteSettings = { ...route, origins: own.filter((o) => !entries.includes(o)) };
	return { candidate: { ...document, routes: { ...document.routes, [key.text]: next } }, notes: [] };
}
