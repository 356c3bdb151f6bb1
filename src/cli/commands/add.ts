import { KV_OPTIONS, kvTarget, ROUTE_OPTION, routeArg, WRITE_OPTIONS, writeOptions } from "../args.ts";
import { EMPTY_DOCUMENT } from "../document-diff.ts";
import { normalizeOriginArgs } from "../origin-args.ts";
import { note } from "../output.ts";
import { addToRoute, addToTop } from "../route-edit.ts";
import { readStored, requireValidStored } from "../source.ts";
import { applyEdit } from "../write.ts";
import { type Command, KV_HELP, WRITE_HELP } from "./command.ts";

export const add: Command = {
	name: "add",
	usage: "cors-gateway add ORIGIN... [--route KEY [--stop-inheriting]] [--yes] [--local | --remote]",
	summary: "allow origins (creates the document if there is none)",
	help: `  --route KEY         add to route KEY's own origins (creating the route if there is none)
  --stop-inheriting   with --route, for a route that uses the top level's origins: give it
                      its own list, just these ORIGINs (they replace the top level's there)
${WRITE_HELP}
${KV_HELP}`,
	options: { ...KV_OPTIONS, ...WRITE_OPTIONS, ...ROUTE_OPTION, "stop-inheriting": { type: "boolean" } },
	positionals: { min: 1, max: Number.POSITIVE_INFINITY, what: "ORIGIN" },
	async run({ values, positionals }) {
		const target = kvTarget(values, "add");
		const key = routeArg(values, "add");
		const entries = normalizeOriginArgs(positionals, "nothing added");
		const stored = await readStored(target);
		const valid = stored.text === null ? undefined : requireValidStored(stored);
		const base = valid?.document ?? EMPTY_DOCUMENT;
		const { candidate, notes } =
			key === undefined
				? addToTop(base, entries)
				: addToRoute(base, key, entries, {
						stopInheriting: values["stop-inheriting"] === true,
						...(valid ? { policy: valid.policy } : {}),
					});
		for (const line of notes) note(line);
		const what = `add ${key === undefined ? "" : `--route ${key.text} `}${entries.join(" ")}`;
		return applyEdit(target, stored, candidate, { what }, writeOptions(values, "add"), "nothing added");
	},
};
