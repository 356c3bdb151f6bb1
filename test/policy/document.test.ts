// docs/SPEC.md "The allowlist document": what validation accepts, normalizes and refuses.
import { describe, expect, it } from "vitest";
import { validateAllowlist, validateAllowlistText } from "../../src/policy/document.ts";
import { formatProblem } from "../../src/policy/index.ts";

function problems(doc: unknown) {
	const result = validateAllowlist(doc);
	return result.ok ? [] : result.problems;
}

function normalized(doc: unknown) {
	const result = validateAllowlist(doc);
	if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
	return result.document;
}

describe("valid documents and their normalized form", () => {
	it("the docs/SPEC.md example is valid", () => {
		const doc = {
			origins: ["https://app.example.com", "https://*.example.com", "http://localhost:5173"],
			credentials: false,
			methods: ["GET", "HEAD", "POST"],
			headers: ["content-type", "authorization"],
			exposeHeaders: ["x-request-id"],
			maxAge: 600,
		};
		expect(normalized(doc)).toEqual(doc);
	});

	it("applies the defaults", () => {
		expect(normalized({ origins: ["https://a.example"] })).toEqual({
			origins: ["https://a.example"],
			credentials: false,
			methods: ["GET", "HEAD", "POST"],
			headers: [],
			exposeHeaders: [],
			maxAge: 600,
		});
	});

	it.each([
		["host is lowercased", "https://APP.Example.com", "https://app.example.com"],
		["scheme is lowercased", "HTTPS://app.example.com", "https://app.example.com"],
		["default https port dropped", "https://app.example.com:443", "https://app.example.com"],
		["default http port dropped", "http://app.example.com:80", "http://app.example.com"],
		["IDN host to punycode", "https://bücher.example", "https://xn--bcher-kva.example"],
		["IDN wildcard domain to punycode", "https://*.bücher.example", "https://*.xn--bcher-kva.example"],
		["wildcard host lowercased", "https://*.Example.com", "https://*.example.com"],
		["wildcard keeps a non-default port", "https://*.example.com:8443", "https://*.example.com:8443"],
		["wildcard drops a default port", "https://*.example.com:443", "https://*.example.com"],
		["IPv6 literal compressed", "http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"],
		["hosts may contain _", "https://my_app.example.com", "https://my_app.example.com"],
		["the opaque origin, literally", "null", "null"],
		["any origin", "*", "*"],
	])("%s: %s", (_rule, entry, expected) => {
		expect(normalized({ origins: [entry] }).origins).toEqual([expected]);
	});

	it("header names are case-insensitive and stored lowercase; repeats dropped", () => {
		const doc = normalized({
			origins: [],
			headers: ["X-Custom", "x-custom", "Authorization"],
			exposeHeaders: ["X-Request-Id"],
		});
		expect(doc.headers).toEqual(["x-custom", "authorization"]);
		expect(doc.exposeHeaders).toEqual(["x-request-id"]);
	});

	it("$schema is accepted and ignored by the policy", () => {
		expect(normalized({ $schema: "./allowlist.schema.json", origins: [] }).$schema).toBe("./allowlist.schema.json");
	});
});

describe("invalid documents: one problem per broken rule, with where and how to fix", () => {
	it.each([
		["a path", "https://app.example.com/", "origin-has-path", 'use "https://app.example.com"'],
		[
			"a path after a port",
			"https://app.example.com:8443/api",
			"origin-has-path",
			'use "https://app.example.com:8443"',
		],
		["a query", "https://app.example.com?x=1", "origin-has-query", 'use "https://app.example.com"'],
		["a fragment", "https://app.example.com#top", "origin-has-fragment", 'use "https://app.example.com"'],
		["a backslash", "https://app.example.com\\x", "origin-has-backslash", 'use "https://app.example.com"'],
		["user-info", "https://user:pw@app.example.com", "origin-userinfo", 'use "https://app.example.com"'],
		["no scheme", "app.example.com", "origin-missing-scheme", 'use "https://app.example.com"'],
		["wildcard without scheme", "*.example.com", "origin-missing-scheme", 'use "https://*.example.com"'],
		["another scheme", "ftp://files.example.com", "origin-scheme", undefined],
		["leading whitespace", " https://app.example.com", "origin-whitespace", 'use "https://app.example.com"'],
		["inner whitespace", "https://app example.com", "origin-whitespace", undefined],
		["an empty entry", "", "origin-empty", expect.any(String)],
		["a wildcard on a top-level domain", "https://*.com", "wildcard-too-broad", expect.any(String)],
		["a wildcard inside a label", "https://a*.example.com", "wildcard-position", undefined],
		["a wildcard that is not the leftmost label", "https://app.*.example.com", "wildcard-position", undefined],
		["two wildcards", "https://*.*.example.com", "wildcard-position", undefined],
		["a bare wildcard host", "https://*", "wildcard-position", undefined],
		["a wildcard over an IP address", "http://*.0.0.1", "wildcard-ip", undefined],
		["port 0", "https://app.example.com:0", "origin-port", undefined],
		["a port above 65535", "https://app.example.com:70000", "origin-port", undefined],
		["a port with a leading zero", "https://app.example.com:0443", "origin-port", "use port 443"],
		["an empty port", "https://app.example.com:", "origin-port", 'use "https://app.example.com"'],
		["a trailing dot", "https://app.example.com.", "host-empty-label", undefined],
		["a label over 63 characters", `https://${"a".repeat(64)}.example.com`, "host-label-too-long", undefined],
		["a host the URL parser would rewrite", "http://0x7f.1", "host-invalid", 'use "http://127.0.0.1"'],
		["null in capitals", "NULL", "origin-null-case", 'use "null"'],
		["a number instead of a string", 42, "origin-not-string", undefined],
	])("refuses %s", (_rule, entry, rule, fix) => {
		const [p, ...rest] = problems({ origins: ["https://ok.example.com", entry] });
		expect(rest).toEqual([]);
		expect(p).toMatchObject({ path: "origins[1]", rule });
		expect(p?.fix).toEqual(fix);
		expect(p?.message).toContain(JSON.stringify(entry));
	});

	it.each([
		["document is not an object", [], "", "document-not-object"],
		["origins missing", {}, "origins", "origins-missing"],
		["origins not an array", { origins: "https://a.example" }, "origins", "origins-not-array"],
		["unknown field, with the likely name", { origins: [], origin: [] }, "origin", "unknown-field"],
		["unknown field", { origins: [], allowAll: true }, "allowAll", "unknown-field"],
		['"*" with credentials', { origins: ["*"], credentials: true }, "origins[0]", "wildcard-with-credentials"],
		["credentials not a boolean", { origins: [], credentials: "true" }, "credentials", "credentials-not-boolean"],
		["maxAge above 86400", { origins: [], maxAge: 86401 }, "maxAge", "max-age-range"],
		["maxAge negative", { origins: [], maxAge: -1 }, "maxAge", "max-age-range"],
		["maxAge not whole", { origins: [], maxAge: 1.5 }, "maxAge", "max-age-range"],
		["maxAge a string", { origins: [], maxAge: "600" }, "maxAge", "max-age-range"],
		["methods not an array", { origins: [], methods: "GET" }, "methods", "not-array"],
		["method not a token", { origins: [], methods: ["GE T"] }, "methods[0]", "method-not-token"],
		["CONNECT refused", { origins: [], methods: ["CONNECT"] }, "methods[0]", "method-forbidden"],
		["TRACE refused", { origins: [], methods: ["TRACE"] }, "methods[0]", "method-forbidden"],
		["TRACK refused", { origins: [], methods: ["track"] }, "methods[0]", "method-forbidden"],
		["a normalized method in lower case never matches", { origins: [], methods: ["put"] }, "methods[0]", "method-case"],
		['"*" in methods', { origins: [], methods: ["*"] }, "methods[0]", "method-wildcard"],
		['"*" in headers', { origins: [], headers: ["*"] }, "headers[0]", "header-wildcard"],
		['"*" in exposeHeaders', { origins: [], exposeHeaders: ["*"] }, "exposeHeaders[0]", "header-wildcard"],
		["header not a token", { origins: [], headers: ["x custom"] }, "headers[0]", "header-not-token"],
		["header not a string", { origins: [], headers: [1] }, "headers[0]", "not-string"],
		["forbidden header cookie", { origins: [], headers: ["Cookie"] }, "headers[0]", "header-forbidden"],
		["forbidden header host", { origins: [], headers: ["host"] }, "headers[0]", "header-forbidden"],
		["forbidden header origin", { origins: [], headers: ["origin"] }, "headers[0]", "header-forbidden"],
		["forbidden header sec-*", { origins: [], headers: ["sec-fetch-mode"] }, "headers[0]", "header-forbidden"],
		["forbidden header proxy-*", { origins: [], headers: ["proxy-authorization"] }, "headers[0]", "header-forbidden"],
		[
			"set-cookie cannot be exposed",
			{ origins: [], exposeHeaders: ["Set-Cookie"] },
			"exposeHeaders[0]",
			"expose-forbidden",
		],
	])("refuses %s", (_rule, doc, path, rule) => {
		expect(problems(doc)).toEqual([expect.objectContaining({ path, rule })]);
	});

	it("suggests the field a typo meant", () => {
		expect(problems({ origins: [], exposedHeaders: [] })[0]?.fix).toBe('did you mean "exposeHeaders"?');
	});

	it("reports every problem at once, in document order", () => {
		const found = problems({ origins: ["https://a.example/", "https://*.com"], maxAge: 90000, extra: 1 });
		expect(found.map((p) => p.path)).toEqual(["extra", "maxAge", "origins[0]", "origins[1]"]);
	});

	it("JSON syntax errors are a problem, not an exception", () => {
		const result = validateAllowlistText('{"origins": [');
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problems[0]?.rule).toBe("json-syntax");
	});

	it("formats a problem as one line: where, what, fix, rule", () => {
		const [p] = problems({ origins: ["https://app.example.com/"] });
		expect(formatProblem(p as never)).toBe(
			'origins[0]: "https://app.example.com/": the entry has a path; an origin is only scheme://host[:port] (fix: use "https://app.example.com") [origin-has-path]',
		);
	});
});

describe("warnings: valid but risky", () => {
	it.each([
		['"null" is listed', { origins: ["null"] }, "null-origin"],
		[
			"http origin with credentials",
			{ origins: ["http://app.example.com"], credentials: true },
			"insecure-with-credentials",
		],
		["wildcard on a second-level public suffix", { origins: ["https://*.co.uk"] }, "broad-wildcard"],
		["wildcard on shared hosting", { origins: ["https://*.github.io"] }, "broad-wildcard"],
		["empty origins list", { origins: [] }, "origins-empty"],
		["duplicate entry after normalization", { origins: ["https://a.example", "https://A.example:443"] }, "duplicate"],
		["a custom method in lower case", { origins: ["https://a.example"], methods: ["patch"] }, "method-case"],
	])("%s", (_rule, doc, rule) => {
		const result = validateAllowlist(doc);
		expect(result.ok).toBe(true);
		expect(result.warnings.map((w) => w.rule)).toContain(rule);
	});

	it("warnings: false (the Worker's way) skips the per-entry warnings, never a problem or the normalized form", () => {
		const risky = {
			origins: ["null", "http://app.example.com", "https://*.github.io", "https://a.example", "https://A.example"],
			credentials: true,
		};
		const full = validateAllowlist(risky);
		const quiet = validateAllowlist(risky, { warnings: false });
		if (!full.ok || !quiet.ok) throw new Error("expected a valid document");
		expect(full.warnings.map((w) => w.rule)).toEqual([
			"null-origin",
			"insecure-with-credentials",
			"broad-wildcard",
			"duplicate",
		]);
		expect(quiet.warnings.map((w) => w.rule)).toEqual(["duplicate"]);
		expect(quiet.document).toEqual(full.document);

		const broken = { origins: ["null", "https://a.example/", "*"], credentials: true };
		expect(validateAllowlist(broken, { warnings: false })).toMatchObject({
			ok: false,
			problems: (validateAllowlist(broken) as { problems: unknown[] }).problems,
		});
	});

	it("a repeat is dropped and warned about, however it is written", () => {
		const result = validateAllowlist({
			origins: [
				"https://a.example",
				"https://a.example",
				"https://A.example:443",
				"https://*.example.com",
				"https://*.EXAMPLE.com",
				"http://*.example.com",
				"https://*.a.example",
				"*",
				"*",
				"null",
				"null",
			],
		});
		if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
		expect(result.document.origins).toEqual([
			"https://a.example",
			"https://*.example.com",
			"http://*.example.com",
			"https://*.a.example",
			"*",
			"null",
		]);
		expect(result.warnings.filter((w) => w.rule === "duplicate").map((w) => [w.path, w.message])).toEqual([
			["origins[1]", '"https://a.example" is listed already (as "https://a.example")'],
			["origins[2]", '"https://A.example:443" is listed already (as "https://a.example")'],
			["origins[4]", '"https://*.EXAMPLE.com" is listed already (as "https://*.example.com")'],
			["origins[8]", '"*" is listed already (as "*")'],
			["origins[10]", '"null" is listed already (as "null")'],
		]);
	});

	it("an ordinary document has no warnings", () => {
		expect(validateAllowlist({ origins: ["https://app.example.com", "https://*.example.com"] }).warnings).toEqual([]);
	});
});
