import { Refusal, UsageError } from "../errors.ts";
import { plural, printProblems, say, serialize } from "../output.ts";
import { compileChecked } from "../public-suffix.ts";
import { readDocumentText, sourceName } from "../source.ts";
import type { Command } from "./command.ts";

export const validate: Command = {
	name: "validate",
	usage: "cors-gateway validate [FILE | -] [--print]",
	summary: "check a document (a file, or stdin); --print shows its normalized form",
	help: "  --print             print the normalized document on stdout",
	options: { print: { type: "boolean" } },
	positionals: { min: 0, max: 1, what: "FILE" },
	async run({ values, positionals }) {
		const file = positionals[0] ?? "-";
		if (file === "-" && process.stdin.isTTY) {
			throw new UsageError('validate: give a FILE, or pipe the document in ("cors-gateway validate < allowlist.json")');
		}
		const name = sourceName(file);
		const result = compileChecked(await readDocumentText(file));
		printProblems(result.ok ? [] : result.problems, result.warnings);
		if (!result.ok) throw new Refusal(`${name}: not a valid allowlist (${plural(result.problems.length, "problem")})`);
		if (values.print) process.stdout.write(serialize(result.document));
		else {
			const routes = Object.keys(result.document.routes ?? {}).length;
			const routed = routes > 0 ? `, ${plural(routes, "route")}` : "";
			const warned = result.warnings.length ? `, ${plural(result.warnings.length, "warning")}` : "";
			say(`${name}: valid (${plural(result.document.origins.length, "origin")}${routed}${warned})`);
		}
		return 0;
	},
};
