import { KV_OPTIONS, kvTarget } from "../args.ts";
import { diffDocuments, EMPTY_DOCUMENT } from "../document-diff.ts";
import { printProblems, say } from "../output.ts";
import { readDocumentToWrite, readStored } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const diff: Command = {
	name: "diff",
	usage: "cors-gateway diff FILE [--local | --remote]",
	summary: "show what pushing FILE would change",
	help: KV_HELP,
	options: KV_OPTIONS,
	positionals: { min: 1, max: 1, what: "FILE" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "diff");
		const next = await readDocumentToWrite(positionals[0] as string);
		const stored = await readStored(target);
		let base = EMPTY_DOCUMENT;
		if (stored.text === null) say(`Nothing is stored in ${stored.where}; pushing would create the allowlist:`);
		else if (!stored.validation.ok) {
			printProblems(stored.validation.problems, []);
			say(`The allowlist in ${stored.where} is invalid; pushing would replace it:`);
		} else {
			base = stored.validation.document;
			say(`From the allowlist in ${stored.where} to ${positionals[0]}:`);
		}
		const lines = diffDocuments(base, next.document);
		for (const line of lines) say(`  ${line}`);
		if (lines.length === 0) say("  no changes");
		return 0;
	},
};
