// The pure CORS policy core: no Hono, no KV, no I/O, and nothing outside this folder.
// Compile a document once (`compileAllowlist`), then `decide` per request. This file is
// the core's whole API: the rest of the project imports nothing else from it.
export { canonicalEntryKind } from "./canonical-entry.ts";
export { type Compiled, compileAllowlist, refuseAll } from "./compile.ts";
export type { AllowlistDocument, Problem, ValidateOptions } from "./document.ts";
export { formatProblem } from "./document.ts";
export { NORMALIZED_METHODS, SAFELISTED_METHODS, SAFELISTED_REQUEST_HEADERS } from "./header-names.ts";
export { canonicalOrigin } from "./origin.ts";
export { type EntryFault, entryText, isShardable, parseOriginEntry } from "./origin-entry.ts";
export type { CorsRequest, Decision, HeaderList, OriginSource, RefusalReason } from "./policy.ts";
export { type AnyCorsPolicy, type CorsPolicy, settle } from "./policy.ts";
export { REASON_TEXT } from "./reasons.ts";
export { MAX_ROUTE_DEPTH, MAX_ROUTE_PREFIX_LENGTH, parseRouteKey, type RouteKey } from "./route-key.ts";
export { RouteTable } from "./route-table.ts";
export { MAX_ROUTE_ORIGINS, MAX_ROUTES, type RouteSettings } from "./routes.ts";
export type { PublicSuffixes } from "./settings.ts";
export { MAX_SHARDS, type ShardManifest } from "./shard-manifest.ts";
export {
	type Answer,
	compareWithTarget,
	type Difference,
	type DifferenceReason,
	type Verdict,
} from "./target-answer.ts";
