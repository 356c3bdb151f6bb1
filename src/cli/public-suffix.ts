// The Public Suffix List, through tldts (its data is bundled in the package: nothing is
// downloaded), for the validator's suffix checks. Only the command line loads it: a Worker
// bundle never carries the list (docs/SPEC.md "Origin patterns").
import { parse } from "tldts";
import { type Compiled, compileAllowlist, type PublicSuffixes } from "../policy/index.ts";

/** Whether `domain` is itself a public suffix, and of which section of the list. */
export const publicSuffixes: PublicSuffixes = (domain) => {
	const found = parse(domain, { allowPrivateDomains: true });
	if (found.publicSuffix !== domain) return undefined;
	if (found.isPrivate) return "private";
	// A suffix only the list's default rule ("*": any unlisted TLD) names is no listed suffix.
	return found.isIcann ? "icann" : undefined;
};

/** The validator every command uses: the core's, with the Public Suffix List. */
export function compileChecked(source: string | object): Compiled {
	return compileAllowlist(source, { publicSuffixes });
}
