import { KV_OPTIONS, kvTarget, ROUTE_OPTION, routeArg } from "../args.ts";
import { note, plural, printProblems, say } from "../output.ts";
import { noSuchRoute } from "../route-edit.ts";
import { readStored, requireValidStored } from "../source.ts";
import { type Command, KV_HELP } from "./command.ts";

export const list: Command = {
	name: "list",
	usage: "cors-gateway list [--route KEY] [--local | --remote]",
	summary: "print the allowed origins, one per line (grouped by route when there are routes)",
	help: `  --route KEY         only the origins route KEY admits, one per line: its own, or the
                      top level's when it uses those
${KV_HELP}`,
	options: { ...KV_OPTIONS, ...ROUTE_OPTION },
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const key = routeArg(values, "list");
		const { document, warnings } = requireValidStored(await readStored(kvTarget(values, "list")));
		printProblems([], warnings);
		const routes = document.routes ?? {};
		if (key !== undefined) {
			const route = routes[key.text];
			if (route === undefined) throw noSuchRoute(key.text, document, "");
			if (route.origins === undefined) note(`(route ${key.text} uses the top level's origins)`);
			for (const origin of route.origins ?? document.origins) say(origin);
			return 0;
		}
		const keys = Object.keys(routes).sort();
		// Without routes, the plain list scripts have always read.
		if (keys.length === 0) {
			for (const origin of document.origins) say(origin);
			return 0;
		}
		group("top level (every path no route matches)", document.origins);
		for (const k of keys) {
			const own = routes[k]?.origins;
			if (own === undefined) say(`route ${k}: inherits the top level's ${plural(document.origins.length, "origin")}`);
			else group(`route ${k}`, own);
		}
		return 0;
	},
};

function group(heading: string, origins: readonly string[]): void {
	if (origins.length === 0) {
		say(`${heading}: no origins (every cross-origin request refused)`);
		return;
	}
	say(`${heading}:`);
	for (const origin of origins) say(`  ${origin}`);
}
