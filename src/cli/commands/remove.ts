import { KV_OPTIONS, kvTarget, shardAbove, WRITE_OPTIONS } from "../args.ts";
import { Refusal } from "../errors.ts";
import { normalizeOriginArgs } from "../origin-args.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyEdit } from "../write.ts";
import { type Command, KV_HELP, YES_HELP } from "./command.ts";

export const remove: Command = {
	name: "remove",
	usage: "cors-gateway remove ORIGIN... [--yes] [--local | --remote]",
	summary: "stop allowing origins (each must be listed)",
	help: `${YES_HELP}\n${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS },
	positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: "ORIGIN" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "remove");
		// An argument that is no valid entry cannot be listed either.
		const entries = normalizeOriginArgs(positionals, "nothing removed");
		const stored = await readStored(target);
		const { document } = requireValidStored(stored);
		const gone = new Set(entries.filter((e) => document.origins.includes(e)));
		const missing = entries.filter((e) => !gone.has(e));
		// A typo must not pass for a revocation: all or nothing.
		if (missing.length > 0) {
			throw new Refusal(
				`not in the allowlist: ${missing.join(", ")}; nothing removed (run "cors-gateway list" to see the entries)`,
			);
		}
		const candidate = { ...document, origins: document.origins.filter((o) => !gone.has(o)) };
		return applyEdit(target, stored, candidate, values.yes === true, shardAbove(values, "remove"), "nothing removed");
	},
};
