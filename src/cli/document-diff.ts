// What a change does, in words: origins and list items added or removed, settings
// changed. Compares normalized documents, so order and spelling (`HTTPS://App.example.com`
// vs `https://app.example.com`) are not changes; only what the gateway would do differently.
import { type AllowlistDocument, compileAllowlist } from "../policy/index.ts";

const LISTS = [
	["origins", "origin"],
	["methods", "method"],
	["headers", "header"],
	["exposeHeaders", "exposed header"],
] as const;
const SETTINGS = ["credentials", "maxAge", "$schema"] as const;

/** No origins, default settings: what a new document or a replaced invalid one is shown against. */
export const EMPTY_DOCUMENT = (compileAllowlist({ origins: [] }) as { document: AllowlistDocument }).document;

/** One line per change (`+ origin https://a.example`, `~ maxAge: 600 -> 3600`); none when nothing changes. */
export function diffDocuments(before: AllowlistDocument, after: AllowlistDocument): string[] {
	const lines: string[] = [];
	for (const [field, label] of LISTS) {
		const was = new Set(before[field]);
		const now = new Set(after[field]);
		for (const item of after[field]) if (!was.has(item)) lines.push(`+ ${label} ${item}`);
		for (const item of before[field]) if (!now.has(item)) lines.push(`- ${label} ${item}`);
	}
	for (const field of SETTINGS) {
		if (before[field] !== after[field]) lines.push(`~ ${field}: ${show(before[field])} -> ${show(after[field])}`);
	}
	return lines;
}

function show(value: unknown): string {
	return value === undefined ? "(none)" : JSON.stringify(value);
}
