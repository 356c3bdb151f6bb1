import { KV_OPTIONS, kvTarget } from "../args.ts";
import { type HistoryEntry, readHistory } from "../history.ts";
import { describeTarget } from "../kv.ts";
import { note, say } from "../output.ts";
import { type Command, KV_HELP } from "./command.ts";

export const history: Command = {
	name: "history",
	usage: "cors-gateway history [--local | --remote]",
	summary: "list the changes written, newest first, each with the document it replaced (for rollback)",
	help: KV_HELP,
	options: KV_OPTIONS,
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const target = kvTarget(values, "history");
		const entries = await readHistory(target);
		if (entries.length === 0) {
			say(`no history in ${describeTarget(target)}: no write by cors-gateway has replaced a document there yet`);
			return 0;
		}
		for (const e of entries)
			say(`${e.id}  ${e.at.replace(/\.\d+Z$/, "Z")}  ${e.by}  ${e.summary}  (before: ${kept(e)})`);
		note('(each line: a change, and the document it replaced; "cors-gateway rollback ID" restores that document)');
		return 0;
	},
};

function kept(entry: HistoryEntry): string {
	if (entry.invalid || entry.origins === undefined) return "an invalid document";
	const origins = `${entry.origins.toLocaleString("en")} ${entry.origins === 1 ? "origin" : "origins"}`;
	return entry.version === undefined ? origins : `${origins}, sharded as version ${entry.version}`;
}
