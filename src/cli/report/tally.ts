// `report`: refusals and report-only differences counted per (kind, route, reason, origin),
// from log observations or from Analytics Engine rows, and cut to the top origins of each
// (route, reason).
//
// A log's summary lines count what an isolate did not log in full: for each of its top
// pairs, `count` includes the lines it did log. So a summary adds, per pair, its count
// less the lines of that pair already seen in its minute (those lines are "claimed" by it,
// once). A summary names no route: what it adds goes to the route the pair's lines came
// from; a pair none of whose lines was seen, and the unlogged refusals of pairs it does
// not name, are counted apart, without a route.
import type { Kind, LineObservation, Observation } from "./log-source.ts";

/** One counted (kind, route, reason, origin). */
export interface Row {
	kind: Kind;
	/** The route key; null for the top level; undefined when no line named it (summaries only). */
	route: string | null | undefined;
	reason: string;
	origin: string | null;
	count: number;
	/** How much of `count` came from summary lines. */
	summarized: number;
	/** Refused methods or header names (a fix names them), most frequent first. */
	details: string[];
}

/** The origins of one (kind, route, reason), most counted first. */
export interface Group {
	kind: Kind;
	route: string | null | undefined;
	reason: string;
	total: number;
	/** The top origins; `more` are not shown. */
	rows: Row[];
	/** Origins past the top, and their count. */
	more: { origins: number; count: number };
}

export interface TallyFilter {
	/** Counts only what happened at or after this time (ms); observations without a time always count. */
	since: number | null;
	/** Only this route key (normalized); undefined: every route. */
	route?: string;
}

export interface Tallied {
	rows: Row[];
	/** Unlogged refusals (or differences) of pairs no summary named, per kind. */
	unnamed: Record<Kind, number>;
	/** What the route filter left out (refusals and differences of other routes), so that the output can say so. */
	otherRoutes: number;
}

interface Pending {
	line: LineObservation;
	claimed: boolean;
}

const pairKey = (kind: Kind, reason: string, origin: string | null) => `${kind}\u0000${reason}\u0000${origin ?? ""}`;
/** A route as a map key: the top level ("") and the route no line named ("\u0001") apart. */
const routeKey = (route: string | null | undefined) => (route === undefined ? "\u0001" : (route ?? ""));

class Counter {
	readonly rows = new Map<string, Row & { detailCounts: Map<string, number> }>();

	add(
		kind: Kind,
		route: string | null | undefined,
		reason: string,
		origin: string | null,
		n: number,
		from: "line" | "summary",
		detail: string | null,
	): void {
		const key = `${pairKey(kind, reason, origin)}\u0000${routeKey(route)}`;
		let row = this.rows.get(key);
		if (row === undefined) {
			row = { kind, route, reason, origin, count: 0, summarized: 0, details: [], detailCounts: new Map() };
			this.rows.set(key, row);
		}
		row.count += n;
		if (from === "summary") row.summarized += n;
		if (detail !== null && detail !== "") row.detailCounts.set(detail, (row.detailCounts.get(detail) ?? 0) + n);
	}

	result(): Row[] {
		return [...this.rows.values()].map(({ detailCounts, ...row }) => ({
			...row,
			details: [...detailCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([d]) => d),
		}));
	}
}

/** Whether `time` falls in the filter's window (no time: it counts). */
const inWindow = (time: number | null, since: number | null) => time === null || since === null || time >= since;

/** Counts log observations, in stream order (a summary claims the lines before it). */
export function tallyObservations(observations: readonly Observation[], filter: TallyFilter): Tallied {
	const counter = new Counter();
	const unnamed: Record<Kind, number> = { refused: 0, report: 0 };
	const lines = new Map<string, Pending[]>();
	for (const one of observations) {
		if (one.type === "line") {
			const key = pairKey(one.kind, one.reason, one.origin);
			const list = lines.get(key) ?? [];
			list.push({ line: one, claimed: false });
			lines.set(key, list);
			if (inWindow(one.time, filter.since))
				counter.add(one.kind, one.route, one.reason, one.origin, 1, "line", one.detail);
			continue;
		}
		const counts = inWindow(one.time, filter.since);
		let added = 0;
		for (const pair of one.top) {
			const pending = lines.get(pairKey(one.kind, pair.reason, pair.origin)) ?? [];
			const claimed: LineObservation[] = [];
			for (const p of pending) {
				if (claimed.length >= pair.count) break;
				if (p.claimed || !inSummaryWindow(p.line.time, one.time, one.windowMs)) continue;
				p.claimed = true;
				claimed.push(p.line);
			}
			const extra = pair.count - claimed.length;
			if (extra <= 0) continue;
			added += extra;
			if (!counts) continue;
			const from = claimed.length > 0 ? claimed : pending.map((p) => p.line);
			const route = from.length > 0 ? mostCommonRoute(from) : undefined;
			const detail = from.length > 0 ? (from[from.length - 1] as LineObservation).detail : null;
			counter.add(one.kind, route, pair.reason, pair.origin, extra, "summary", detail);
		}
		if (counts) unnamed[one.kind] += Math.max(0, one.unlogged - added);
	}
	return filtered(counter.result(), unnamed, filter);
}

/** A line belongs to a summary's minute when either has no time, or it falls within the minute. */
function inSummaryWindow(time: number | null, start: number | null, windowMs: number): boolean {
	return time === null || start === null || (time >= start && time < start + windowMs);
}

function mostCommonRoute(lines: readonly LineObservation[]): string | null {
	const counts = new Map<string | null, number>();
	for (const line of lines) counts.set(line.route, (counts.get(line.route) ?? 0) + 1);
	let best: string | null = null;
	let bestCount = -1;
	for (const [route, n] of counts) {
		if (n > bestCount) {
			best = route;
			bestCount = n;
		}
	}
	return best;
}

/** Analytics Engine rows, already counted (and filtered by time) by the query. */
export interface CountedRow {
	kind: Kind;
	route: string | null;
	reason: string;
	origin: string | null;
	count: number;
}

export function tallyCounted(counted: readonly CountedRow[], filter: TallyFilter): Tallied {
	const counter = new Counter();
	for (const { kind, route, reason, origin, count } of counted)
		counter.add(kind, route, reason, origin, count, "line", null);
	return filtered(counter.result(), { refused: 0, report: 0 }, filter);
}

function filtered(rows: Row[], unnamed: Record<Kind, number>, filter: TallyFilter): Tallied {
	if (filter.route === undefined) return { rows, unnamed, otherRoutes: 0 };
	const kept = rows.filter((row) => row.route === filter.route);
	const otherRoutes = rows.reduce((n, row) => n + row.count, 0) - kept.reduce((n, row) => n + row.count, 0);
	return { rows: kept, unnamed, otherRoutes };
}

/** Groups per (kind, route, reason), the top `top` origins of each: refusals first, then the biggest groups. */
export function topGroups(rows: readonly Row[], top: number): Group[] {
	const groups = new Map<string, Row[]>();
	for (const row of rows) {
		const key = `${row.kind}\u0000${routeKey(row.route)}\u0000${row.reason}`;
		const list = groups.get(key) ?? [];
		list.push(row);
		groups.set(key, list);
	}
	const out: Group[] = [];
	for (const list of groups.values()) {
		list.sort((a, b) => b.count - a.count || compareText(a.origin ?? "", b.origin ?? ""));
		const first = list[0] as Row;
		const rest = list.slice(top);
		out.push({
			kind: first.kind,
			route: first.route,
			reason: first.reason,
			total: list.reduce((n, row) => n + row.count, 0),
			rows: list.slice(0, top),
			more: { origins: rest.length, count: rest.reduce((n, row) => n + row.count, 0) },
		});
	}
	const kindOrder = (kind: Kind) => (kind === "refused" ? 0 : 1);
	const routeTotals = new Map<string, number>();
	const kindRoute = (g: Group) => `${g.kind}\u0000${routeKey(g.route)}`;
	for (const g of out) routeTotals.set(kindRoute(g), (routeTotals.get(kindRoute(g)) ?? 0) + g.total);
	return out.sort(
		(a, b) =>
			kindOrder(a.kind) - kindOrder(b.kind) ||
			// Routes by their total, the unnamed route last; then each route's reasons by theirs.
			Number(a.route === undefined) - Number(b.route === undefined) ||
			(routeTotals.get(kindRoute(b)) ?? 0) - (routeTotals.get(kindRoute(a)) ?? 0) ||
			compareText(a.route ?? "", b.route ?? "") ||
			b.total - a.total ||
			compareText(a.reason, b.reason),
	);
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
