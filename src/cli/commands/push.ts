import { KV_OPTIONS, kvTarget, shardAbove, WRITE_OPTIONS } from "../args.ts";
import { readDocumentToWrite, readStored } from "../source.ts";
import { applyChange } from "../write.ts";
import { type Command, KV_HELP, YES_HELP } from "./command.ts";

export const push: Command = {
	name: "push",
	usage: "cors-gateway push FILE [--yes] [--local | --remote]",
	summary: "replace the stored document with FILE (validated, normalized, shown as a diff)",
	help: `${YES_HELP}\n${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS },
	positionals: { min: 1, max: 1, what: "FILE" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "push");
		const next = await readDocumentToWrite(positionals[0] as string, "; nothing written");
		return applyChange(
			target,
			await readStored(target),
			next.document,
			values.yes === true,
			shardAbove(values, "push"),
		);
	},
};
