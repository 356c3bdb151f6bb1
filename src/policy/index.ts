// The pure CORS policy core: no Hono, no KV, no I/O. Validate a document once, compile
// it into a CorsPolicy once, then call `decide` per request.
export type { AllowlistDocument, Problem, Validation } from "./document.ts";
export { DEFAULTS, formatProblem, MAX_MAX_AGE, validateAllowlist, validateAllowlistText } from "./document.ts";
export { OriginMatcher } from "./matcher.ts";
export { canonicalOrigin, MAX_ORIGIN_LENGTH } from "./origin.ts";
export type { OriginEntry } from "./origin-entry.ts";
export { parseOriginEntry } from "./origin-entry.ts";
export type { CorsRequest, Decision, HeaderList, Lookup, OriginSource, RefusalReason } from "./policy.ts";
export { type AnyCorsPolicy, CorsPolicy, settle } from "./policy.ts";
export { REASON_TEXT } from "./reasons.ts";
export { MAX_REQUEST_HEADERS_LENGTH } from "./request-headers.ts";
