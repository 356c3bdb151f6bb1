// ORIGIN arguments of add and remove, checked one by one with the validator's own entry
// parser before any KV access, so a typo is reported against what was typed.
import { entryText, formatProblem, parseOriginEntry } from "../policy/index.ts";
import { Refusal } from "./errors.ts";
import { note } from "./output.ts";

/** The normalized entries, in order, without repeats; refuses if any argument is not a valid entry. */
export function normalizeOriginArgs(args: readonly string[], consequence: string): string[] {
	const entries: string[] = [];
	let bad = 0;
	args.forEach((raw, i) => {
		const entry = parseOriginEntry(raw);
		if ("rule" in entry) {
			bad++;
			const problem = {
				path: `argument ${i + 1}`,
				rule: entry.rule,
				message: `${JSON.stringify(raw)}: ${entry.message}`,
			};
			note(`error: ${formatProblem(entry.fix === undefined ? problem : { ...problem, fix: entry.fix })}`);
			return;
		}
		const normal = entryText(entry);
		if (!entries.includes(normal)) entries.push(normal);
	});
	if (bad > 0) throw new Refusal(consequence);
	return entries;
}
