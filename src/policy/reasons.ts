// Every refusal in words a web developer can act on; shared by the Worker's logs and
// the command line's `check`.
import type { RefusalReason } from "./policy.ts";

export const REASON_TEXT: Readonly<Record<RefusalReason, string>> = {
	"no-allowlist": "no valid allowlist is loaded, so every cross-origin request is refused",
	"allowlist-unavailable": "the part of the allowlist that could list this origin could not be read from KV",
	"origin-empty": "the Origin header is empty",
	"origin-too-long": "the Origin header is longer than 512 bytes",
	"origin-malformed": "the Origin header is not a serialized origin (scheme://host[:port] or null)",
	"origin-not-allowed": "the origin is not in the allowlist",
	"preflight-method-empty": "the preflight's Access-Control-Request-Method is empty",
	"method-not-allowed": "the requested method is not in the allowlist's methods",
	"header-not-allowed": "a requested header is not in the allowlist's headers",
	"request-headers-too-long": "Access-Control-Request-Headers is longer than 4096 bytes",
	"request-headers-malformed": "Access-Control-Request-Headers is not a comma-separated list of header names",
};
