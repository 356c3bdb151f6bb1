import { KV_OPTIONS, kvTarget, ROUTE_OPTION, routeArg, WRITE_OPTIONS, writeOptions } from "../args.ts";
import { normalizeOriginArgs } from "../origin-args.ts";
import { note } from "../output.ts";
import { removeFromRoute, removeFromTop } from "../route-edit.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyEdit } from "../write.ts";
import { type Command, KV_HELP, WRITE_HELP } from "./command.ts";

export const remove: Command = {
	name: "remove",
	usage: "cors-gateway remove ORIGIN... [--route KEY] [--yes] [--local | --remote]",
	summary: "stop allowing origins (each must be listed)",
	help: `  --route KEY         remove from route KEY's own origins (each must be listed there)
${WRITE_HELP}
${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS, ...ROUTE_OPTION },
	positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: "ORIGIN" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "remove");
		const key = routeArg(values, "remove");
		// An argument that is no valid entry cannot be listed either.
		const entries = normalizeOriginArgs(positionals, "nothing removed");
		const stored = await readStored(target);
		const { document } = requireValidStored(stored);
		const { candidate, notes } =
			key === undefined ? removeFromTop(document, entries) : removeFromRoute(document, key, entries);
		for (const line of notes) note(line);
		const what = `remove ${key === undefined ? "" : `--route ${key.text} `}${entries.join(" ")}`;
		return applyEdit(target, stored, candidate, { what }, writeOptions(values, "remove"), "nothing removed");
	},
};
