import { validateAllowlist } from "../../policy/index.ts";
import { KV_OPTIONS, kvTarget, shardAbove, WRITE_OPTIONS } from "../args.ts";
import { EMPTY_DOCUMENT } from "../diff.ts";
import { Refusal } from "../errors.ts";
import { normalizeOriginArgs } from "../origin-args.ts";
import { note, printProblems } from "../output.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyChange } from "../write.ts";
import { type Command, KV_HELP, YES_HELP } from "./command.ts";

export const add: Command = {
	name: "add",
	usage: "cors-gateway add ORIGIN... [--yes] [--local | --remote]",
	summary: "allow origins (creates the document if there is none)",
	help: `${YES_HELP}\n${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS },
	positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: "ORIGIN" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "add");
		const entries = normalizeOriginArgs(positionals, "nothing added");
		const stored = await readStored(target);
		const base = stored.text === null ? EMPTY_DOCUMENT : requireValidStored(stored);
		const fresh = entries.filter((e) => !base.origins.includes(e));
		for (const e of entries) if (!fresh.includes(e)) note(`note: ${e} is listed already`);
		// The whole new document is validated, so an entry is judged in context ("*" with credentials).
		const result = validateAllowlist({ ...base, origins: [...base.origins, ...fresh] });
		if (!result.ok) {
			printProblems(result.problems, []);
			throw new Refusal("nothing added");
		}
		printProblems([], result.warnings);
		return applyChange(target, stored, result.document, values.yes === true, shardAbove(values, "add"));
	},
};
