// The core's one entry point: an allowlist document (or its JSON text) in, a compiled
// policy out — or every problem that keeps it from compiling.
import {
	type AllowlistDocument,
	type Problem,
	type ValidateOptions,
	validateAllowlist,
	validateAllowlistText,
} from "./document.ts";
import { CorsPolicy } from "./policy.ts";

export type Compiled =
	| { ok: true; policy: CorsPolicy; document: AllowlistDocument; warnings: Problem[] }
	| { ok: false; problems: Problem[]; warnings: Problem[] };

/** `source`: the document, or its JSON text (a document is an object, never a string). */
export function compileAllowlist(source: string | object, options?: ValidateOptions): Compiled {
	const result =
		typeof source === "string" ? validateAllowlistText(source, options) : validateAllowlist(source, options);
	if (!result.ok) return result;
	return { ok: true, policy: new CorsPolicy(result), document: result.document, warnings: result.warnings };
}

/** A policy that refuses every cross-origin request, for when no valid allowlist is loaded. */
export function refuseAll(why: string): CorsPolicy {
	return new CorsPolicy({ missing: why });
}
