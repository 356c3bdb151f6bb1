import { KV_OPTIONS, kvTarget, WRITE_OPTIONS, writeOptions } from "../args.ts";
import { readDocumentToWrite, readStored, sourceName } from "../source.ts";
import { applyChange } from "../write.ts";
import { type Command, KV_HELP, WRITE_HELP } from "./command.ts";

export const push: Command = {
	name: "push",
	usage: "cors-gateway push FILE [--yes] [--local | --remote]",
	summary: "replace the stored document with FILE (validated, normalized, shown as a diff)",
	help: `${WRITE_HELP}\n${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS },
	positionals: { min: 1, max: 1, what: "FILE" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "push");
		const file = positionals[0] as string;
		const next = await readDocumentToWrite(file, "; nothing written");
		return applyChange(
			target,
			await readStored(target),
			next.document,
			{ what: `push ${sourceName(file)}` },
			writeOptions(values, "push"),
		);
	},
};
