import { type CorsPolicy, refuseAll } from "../../policy/index.ts";
import { KV_OPTIONS, kvTarget } from "../args.ts";
import { UsageError } from "../errors.ts";
import { explain } from "../explain.ts";
import { note, printProblems, say } from "../output.ts";
import { readStored, readValidDocument, sourceName } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const check: Command = {
	name: "check",
	usage: "cors-gateway check ORIGIN [--method M] [--header H]... [--file FILE | --local | --remote]",
	summary: "explain what the gateway does with a request from ORIGIN, and why",
	help: `  --method M          the request's method, as the page writes it (default GET)
  --header H          a header the page sets (repeat for several)
  --file FILE         decide with this document instead of the one in KV
${KV_HELP}`,
	options: {
		...KV_OPTIONS,
		method: { type: "string" },
		header: { type: "string", multiple: true },
		file: { type: "string" },
	},
	positionals: { min: 1, max: 1, what: "ORIGIN (the calling page's origin, e.g. https://app.example.com)" },
	async run({ values, positionals }) {
		const file = values.file as string | undefined;
		const kvFlags = Object.keys(KV_OPTIONS).filter((k) => values[k] !== undefined);
		if (file !== undefined && kvFlags.length > 0) {
			throw new UsageError(`check: --file and --${kvFlags[0]} exclude each other`);
		}
		let policy: CorsPolicy;
		let source: string;
		if (file !== undefined) {
			source = sourceName(file);
			policy = (await readValidDocument(file)).policy;
		} else {
			const stored = await readStored(kvTarget(values, "check"));
			source = stored.where;
			if (stored.text === null) {
				policy = refuseAll(`no allowlist is stored in ${stored.where}`);
			} else if (!stored.validation.ok) {
				printProblems(stored.validation.problems, []);
				note(
					`the allowlist in ${stored.where} is invalid: a gateway that loaded a valid one earlier keeps it, a freshly started one refuses every cross-origin request`,
				);
				policy = refuseAll(`the allowlist in ${stored.where} is invalid`);
			} else {
				policy = stored.validation.policy;
			}
		}
		const { approved, lines } = explain(policy, {
			origin: positionals[0] as string,
			method: (values.method as string | undefined) ?? "GET",
			headers: (values.header as string[] | undefined) ?? [],
		});
		for (const line of lines) say(line);
		say(`\n(decided with the allowlist in ${source})`);
		return approved ? 0 : 1;
	},
};
