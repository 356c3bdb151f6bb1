// Header-name and method rules of the Fetch standard that the document is checked against.

/** Approved by a preflight without being listed (the CORS-safelisted request-header names). */
export const SAFELISTED_REQUEST_HEADERS: readonly string[] = [
	"accept",
	"accept-language",
	"content-language",
	"content-type",
	"range",
];

/** Methods a preflight approves without listing (the CORS-safelisted methods). */
export const SAFELISTED_METHODS: readonly string[] = ["GET", "HEAD", "POST"];

/** Browsers never let a page set these, so listing one is a mistake. */
const FORBIDDEN_REQUEST_HEADERS = new Set([
	"accept-charset",
	"accept-encoding",
	"access-control-request-headers",
	"access-control-request-method",
	"connection",
	"content-length",
	"cookie",
	"cookie2",
	"date",
	"dnt",
	"expect",
	"host",
	"keep-alive",
	"origin",
	"referer",
	"set-cookie",
	"te",
	"trailer",
	"transfer-encoding",
	"upgrade",
	"via",
]);

const FORBIDDEN_RESPONSE_HEADERS = new Set(["set-cookie", "set-cookie2"]);

/** Methods the document refuses: a cross-origin page must never be allowed to send them. */
export const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Methods the Fetch standard upper-cases before sending; any other method is sent as written. */
export const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

// RFC 9110 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
	TCHAR[c.charCodeAt(0)] = 1;
}

export function isTokenChar(code: number): boolean {
	return code < 128 && TCHAR[code] === 1;
}

/** Optional whitespace (RFC 9110 OWS): space or horizontal tab. */
export function isOws(code: number): boolean {
	return code === 32 || code === 9;
}

export function isToken(value: string): boolean {
	if (value.length === 0) return false;
	for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
	return true;
}

export function isForbiddenRequestHeader(lowerName: string): boolean {
	return FORBIDDEN_REQUEST_HEADERS.has(lowerName) || lowerName.startsWith("proxy-") || lowerName.startsWith("sec-");
}

export function isForbiddenResponseHeader(lowerName: string): boolean {
	return FORBIDDEN_RESPONSE_HEADERS.has(lowerName);
}
