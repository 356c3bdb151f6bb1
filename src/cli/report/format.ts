// `report`'s output: the top origins per route and reason, refusals first and report-only
// differences apart, each with its fix; or the same as one JSON object (`--json`).
import { plural } from "../output.ts";
import { fixOf, ROUTE_NOTE, reasonText } from "./fixes.ts";
import type { Group, Tallied } from "./tally.ts";

export interface ReportHeader {
	/** Where the counts come from, in words. */
	source: string;
	/** The window, in words (`the last 24h`, `since 2026-12-04T12:00:00.000Z`). */
	window: string;
	/** Lines without a timestamp (`wrangler dev` output), counted whatever the window. */
	untimed: number;
	/** The remote query hit its row limit. */
	truncated: boolean;
	route?: string;
}

const KIND_TITLE = {
	refused: "Refused",
	report: "Report-only differences (nothing enforced: what enforcing would change)",
} as const;

function routeTitle(route: string | null | undefined): string {
	if (route === undefined) return "route not named (pairs counted only in summary lines)";
	return route === null ? "top level" : `route ${route}`;
}

/** The report as text lines. */
export function formatText(header: ReportHeader, tallied: Tallied, groups: readonly Group[]): string[] {
	const out: string[] = [];
	const scope = header.route === undefined ? "" : ` on route ${header.route}`;
	out.push(`${header.source}: ${header.window}${scope}`);
	if (header.untimed > 0) {
		out.push(
			`(${plural(header.untimed, "line")} without a timestamp, as in \`wrangler dev\` output: counted whatever --since)`,
		);
	}
	if (header.truncated) out.push("(the query reached its row limit: the rarest pairs are missing)");
	const unnamed = tallied.unnamed.refused + tallied.unnamed.report;
	if (groups.length === 0 && unnamed === 0) {
		out.push(`no refusals and no report-only differences in ${header.window}${scope}`);
		if (tallied.otherRoutes > 0) out.push(`(${tallied.otherRoutes} more on other routes)`);
		return out;
	}
	let routeUsed = false;
	for (const kind of ["refused", "report"] as const) {
		const mine = groups.filter((g) => g.kind === kind);
		if (mine.length === 0 && tallied.unnamed[kind] === 0) continue;
		const total = mine.reduce((n, g) => n + g.total, 0) + tallied.unnamed[kind];
		out.push("", `${KIND_TITLE[kind]}: ${total}`);
		let lastRoute: string | null | undefined | 0 = 0;
		for (const group of mine) {
			if (group.route !== lastRoute) {
				out.push(`  ${routeTitle(group.route)}`);
				lastRoute = group.route;
			}
			out.push(`    ${group.reason} (${group.total}): ${reasonText(group.kind, group.reason)}`);
			const width = Math.max(...group.rows.map((r) => String(r.count).length));
			for (const row of group.rows) {
				const summarized = row.summarized > 0 ? `  (${row.summarized} from summary lines)` : "";
				out.push(`      ${String(row.count).padStart(width)}  ${row.origin ?? "(no origin)"}${summarized}`);
				const fix = fixOf(row);
				if (fix !== null) {
					out.push(`      ${" ".repeat(width)}  fix: ${fix}`);
					if (fix.includes("--route")) routeUsed = true;
				}
			}
			if (group.more.origins > 0) {
				out.push(`      … ${plural(group.more.origins, "more origin")} (${group.more.count}); raise --top to see them`);
			}
		}
		if (tallied.unnamed[kind] > 0) {
			out.push(`  ${tallied.unnamed[kind]} more counted in summary lines without their reason and origin`);
		}
	}
	if (routeUsed) out.push("", `note: ${ROUTE_NOTE}`);
	return out;
}

/** The same report as one JSON value. */
export function formatJson(header: ReportHeader, tallied: Tallied, groups: readonly Group[]): unknown {
	return {
		source: header.source,
		window: header.window,
		untimedLines: header.untimed,
		truncated: header.truncated,
		...(header.route === undefined ? {} : { route: header.route }),
		groups: groups.map((g) => ({
			kind: g.kind,
			route: g.route === undefined ? "(unknown)" : g.route,
			reason: g.reason,
			total: g.total,
			origins: g.rows.map((r) => ({
				origin: r.origin,
				count: r.count,
				fromSummaries: r.summarized,
				fix: fixOf(r),
			})),
			more: g.more,
		})),
		unnamedInSummaries: tallied.unnamed,
	};
}
