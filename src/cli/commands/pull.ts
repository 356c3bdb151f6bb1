import { KV_OPTIONS, kvTarget } from "../args.ts";
import { note, plural, printProblems, serialize } from "../output.ts";
import { readStored, requireStored } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const pull: Command = {
	name: "pull",
	usage: "cors-gateway pull [--local | --remote] > allowlist.json",
	summary: "print the stored document (a sharded one with every origin read back in)",
	help: KV_HELP,
	options: KV_OPTIONS,
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const stored = requireStored(await readStored(kvTarget(values, "pull")));
		if (stored.manifest !== undefined && stored.validation.ok) {
			// The whole list, as it was pushed: edit it and push it back, the shards follow.
			process.stdout.write(serialize(stored.validation.document));
			note(`(read back from ${plural(stored.manifest.count, "shard")} of version ${stored.manifest.version})`);
			return 0;
		}
		process.stdout.write(stored.text);
		// Printed even so: it is what is there, and the way to fix it is to pull, edit and push.
		if (!stored.validation.ok) {
			printProblems(stored.validation.problems, []);
			note(`warning: the allowlist in ${stored.where} is invalid; fix the problems above and push it back`);
		}
		return 0;
	},
};
