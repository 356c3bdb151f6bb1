// The pure CORS policy core: no Hono, no KV, no I/O. Validate a document once, compile
// it into a CorsPolicy once, then call `decide` per request.
export type { AllowlistDocument, Problem, Validation } from "./document.ts";
export { formatProblem, validateAllowlist, validateAllowlistText } from "./document.ts";
export { canonicalOrigin } from "./origin.ts";
export { entryText, parseOriginEntry } from "./origin-entry.ts";
export type { CorsRequest, Decision, HeaderList, OriginSource, RefusalReason } from "./policy.ts";
export { type AnyCorsPolicy, CorsPolicy, settle } from "./policy.ts";
export { REASON_TEXT } from "./reasons.ts";
