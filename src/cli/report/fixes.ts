// `report`: what to do about each counted refusal or difference, in the command line's own
// words: the `add` command that admits a refused origin (`--route KEY` for a route's own
// origins), the field to edit for a method or a header, or nothing where the allowlist is
// not what refused (a malformed Origin, an unreadable KV).
import { REASON_TEXT, type RefusalReason } from "../../policy/index.ts";
import { EDIT, NULL_ORIGIN_NOTE } from "../hints.ts";
import type { Row } from "./tally.ts";

/** Why, in words: a refusal reason's text, or what a report-only difference means. */
export function reasonText(kind: Row["kind"], reason: string): string {
	if (kind === "refused") return (REASON_TEXT as Record<string, string>)[reason] ?? reason;
	const [side, fault] = reason.startsWith("allowlist-refuses-")
		? ["allowlist", reason.slice("allowlist-refuses-".length)]
		: reason.startsWith("target-refuses-")
			? ["target", reason.slice("target-refuses-".length)]
			: [null, reason];
	if (side === "allowlist")
		return `the allowlist would refuse (${fault}) what the target allows: enforcing would break it`;
	if (side === "target") return `the target refuses (${fault}) what the allowlist would allow`;
	return reason;
}

/** The `add` command that admits `origin` where it was refused. */
function addCommand(route: string | null, origin: string): string {
	return route === null ? `npx cors-gateway add ${origin}` : `npx cors-gateway add --route ${route} ${origin}`;
}

/** Where a route's methods or headers are edited, in words. */
function field(name: "methods" | "headers", route: string | null): string {
	return route === null ? `"${name}"` : `the ${name} of route ${route} (or the top level's, if it uses those)`;
}

/** A refusal reason's fix, when the allowlist can fix it. */
function fixFor(
	reason: string,
	route: string | null,
	origin: string | null,
	details: readonly string[],
): string | null {
	const named = (what: string) =>
		details.length > 0 ? details.map((d) => JSON.stringify(d)).join(", ") : `the ${what}`;
	switch (reason as RefusalReason | `allowlist-refuses-${string}`) {
		case "origin-not-allowed":
		case "allowlist-refuses-origin":
			if (origin === null) return null;
			return origin === "null" ? `${addCommand(route, "null")}  (${NULL_ORIGIN_NOTE})` : addCommand(route, origin);
		case "method-not-allowed":
		case "allowlist-refuses-method":
			return `add ${named("method")} to ${field("methods", route)}; ${EDIT}`;
		case "header-not-allowed":
		case "allowlist-refuses-header":
			return `add ${named("header")} to ${field("headers", route)}; ${EDIT}`;
		case "allowlist-refuses-credentials":
			return `set "credentials": true${route === null ? "" : ` in route ${route}`}, if those pages are to send cookies; ${EDIT}`;
		case "no-allowlist":
			return 'store one with "npx cors-gateway push FILE" or "npx cors-gateway add ORIGIN"';
		default:
			return null;
	}
}

/**
 * The fix for one row, or null: refusals and `allowlist-refuses-*` differences are fixed in
 * the allowlist; for a `target-refuses-*` difference, the allowlist allows more than the
 * target does, which enforcing would keep allowing: nothing to add.
 */
export function fixOf(row: Row): string | null {
	if (row.route === undefined) return null;
	return fixFor(row.reason, row.route, row.origin, row.details);
}

/** A note printed once under the list when some fix uses `--route`. */
export const ROUTE_NOTE =
	"--route KEY adds to the route's own origins; for a route that uses the top level's origins, add the origin without --route, or give the route a list of its own with --stop-inheriting (cors-gateway add --help)";
