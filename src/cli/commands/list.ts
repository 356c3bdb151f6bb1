import { KV_OPTIONS, kvTarget } from "../args.ts";
import { printProblems, say } from "../output.ts";
import { readStored, requireValidStored } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const list: Command = {
	name: "list",
	usage: "cors-gateway list [--local | --remote]",
	summary: "print the allowed origins, one per line",
	help: KV_HELP,
	options: KV_OPTIONS,
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const { document, warnings } = requireValidStored(await readStored(kvTarget(values, "list")));
		printProblems([], warnings);
		for (const origin of document.origins) say(origin);
		return 0;
	},
};
