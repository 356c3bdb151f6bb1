// What a change does, in words: origins and list items added or removed, settings
// changed, routes added, removed or changed. Compares normalized documents, so order and spelling (`HTTPS://App.example.com`
// vs `https://app.example.com`) are not changes; only what the gateway would do differently.
import { type AllowlistDocument, compileAllowlist } from "../policy/index.ts";
import { plural } from "./output.ts";

const LISTS = [
	["origins", "origin"],
	["methods", "method"],
	["headers", "header"],
	["exposeHeaders", "exposed header"],
] as const;
const SETTINGS = ["credentials", "maxAge", "mode", "$schema"] as const;

/** No origins, default settings: what a new document or a replaced invalid one is shown against. */
export const EMPTY_DOCUMENT = (compileAllowlist({ origins: [] }) as { document: AllowlistDocument }).document;

/**
 * One line per change (`+ origin https://a.example`, `~ maxAge: 600 -> 3600`,
 * `+ routes["/fonts"] origin *`); none when nothing changes.
 */
export function diffDocuments(before: AllowlistDocument, after: AllowlistDocument): string[] {
	const lines = diffSettings(before, after, "");
	const was = before.routes ?? {};
	const now = after.routes ?? {};
	for (const [key, to] of Object.entries(now)) {
		const from = was[key];
		if (from === undefined) lines.push(`+ route ${key} ${JSON.stringify(to)}`);
		else lines.push(...diffSettings(from, to, `routes[${JSON.stringify(key)}]`));
	}
	for (const key of Object.keys(was)) if (now[key] === undefined) lines.push(`- route ${key}`);
	return lines;
}

/** A change in a few words, for its history entry: `+3 origins, -1 origin, maxAge changed, route /api changed`. */
export function summarizeChange(before: AllowlistDocument, after: AllowlistDocument): string {
	const was = new Set(before.origins);
	const now = new Set(after.origins);
	const added = after.origins.filter((o) => !was.has(o)).length;
	const removed = before.origins.filter((o) => !now.has(o)).length;
	const parts = [
		...(added > 0 ? [`+${plural(added, "origin")}`] : []),
		...(removed > 0 ? [`-${plural(removed, "origin")}`] : []),
	];
	const fields = [...LISTS.map(([field]) => field).filter((f) => f !== "origins"), ...SETTINGS];
	for (const field of fields) {
		if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) parts.push(`${field} changed`);
	}
	const routes = before.routes ?? {};
	const next = after.routes ?? {};
	const keys = [...new Set([...Object.keys(routes), ...Object.keys(next)])].sort();
	const changed = keys.filter((k) => JSON.stringify(routes[k]) !== JSON.stringify(next[k]));
	if (changed.length > 0) parts.push(`${changed.length === 1 ? "route" : "routes"} ${changed.join(", ")} changed`);
	return parts.length === 0 ? "no change" : parts.join(", ");
}

type Settings = Partial<
	Pick<AllowlistDocument, (typeof LISTS)[number][0] | Exclude<(typeof SETTINGS)[number], "mode">>
> & {
	/** A route keeps the mode it writes, "enforce" too. */
	mode?: string;
};

/** The top level's changes (`where` ""), or a route's, whose unset fields are inherited. */
function diffSettings(before: Settings, after: Settings, where: string): string[] {
	const lines: string[] = [];
	const unset = where === "" ? "(none)" : "(inherited)";
	const show = (value: unknown) => (value === undefined ? unset : JSON.stringify(value));
	for (const [field, label] of LISTS) {
		const from = before[field];
		const to = after[field];
		if (from === undefined || to === undefined) {
			if (from !== to) lines.push(`~ ${where}${where && "."}${field}: ${show(from)} -> ${show(to)}`);
			continue;
		}
		const was = new Set(from);
		const now = new Set(to);
		const name = where === "" ? label : `${where} ${label}`;
		for (const item of to) if (!was.has(item)) lines.push(`+ ${name} ${item}`);
		for (const item of from) if (!now.has(item)) lines.push(`- ${name} ${item}`);
	}
	for (const field of SETTINGS) {
		if (before[field] !== after[field])
			lines.push(`~ ${where}${where && "."}${field}: ${show(before[field])} -> ${show(after[field])}`);
	}
	return lines;
}
