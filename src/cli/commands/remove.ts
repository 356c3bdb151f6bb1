import { canonicalOrigin, parseOriginEntry, validateAllowlist } from "../../policy/index.ts";
import { KV_OPTIONS, kvTarget, YES_OPTION } from "../args.ts";
import { Refusal } from "../errors.ts";
import { printProblems } from "../output.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyChange } from "../write.ts";
import { type Command, KV_HELP, YES_HELP } from "./command.ts";

export const remove: Command = {
	name: "remove",
	usage: "cors-gateway remove ORIGIN... [--yes] [--local | --remote]",
	summary: "stop allowing origins (each must be listed)",
	help: `${YES_HELP}\n${KV_HELP}`,
	options: { ...KV_OPTIONS, ...YES_OPTION },
	positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: "ORIGIN" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "remove");
		const stored = await readStored(target);
		const { document } = requireValidStored(stored);
		const gone = new Set<string>();
		const missing: string[] = [];
		for (const raw of positionals) {
			const normal = normalEntry(raw);
			if (document.origins.includes(normal)) gone.add(normal);
			else missing.push(raw);
		}
		// A typo must not pass for a revocation: all or nothing.
		if (missing.length > 0) {
			throw new Refusal(
				`not in the allowlist: ${missing.join(", ")}; nothing removed (run "cors-gateway list" to see the entries)`,
			);
		}
		const result = validateAllowlist({ ...document, origins: document.origins.filter((o) => !gone.has(o)) });
		if (!result.ok) {
			printProblems(result.problems, []);
			throw new Refusal("nothing removed");
		}
		printProblems([], result.warnings);
		return applyChange(target, stored, result.document, values.yes === true);
	},
};

/** The form the entry is stored in, so "https://App.example.com:443" removes "https://app.example.com". */
function normalEntry(raw: string): string {
	const entry = parseOriginEntry(raw);
	if ("rule" in entry) return canonicalOrigin(raw);
	return entry.kind === "any" ? "*" : entry.kind === "null" ? "null" : entry.origin;
}
