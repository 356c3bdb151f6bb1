import { KV_OPTIONS, kvTarget, shardAbove, WRITE_OPTIONS } from "../args.ts";
import { EMPTY_DOCUMENT } from "../document-diff.ts";
import { normalizeOriginArgs } from "../origin-args.ts";
import { note } from "../output.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyEdit } from "../write.ts";
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
		const base = stored.text === null ? EMPTY_DOCUMENT : requireValidStored(stored).document;
		const fresh = entries.filter((e) => !base.origins.includes(e));
		for (const e of entries) if (!fresh.includes(e)) note(`note: ${e} is listed already`);
		const candidate = { ...base, origins: [...base.origins, ...fresh] };
		return applyEdit(target, stored, candidate, values.yes === true, shardAbove(values, "add"), "nothing added");
	},
};
