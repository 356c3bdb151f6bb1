// docs/SPEC.md "The allowlist document": what validation accepts, normalizes and refuses.
import { describe, expect, it } from "vitest";
import { publicSuffixes } from "../../src/cli/public-suffix.ts";
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
		[
			"a wildcard that is not the leftmost label",
			"https://app.*.example.com",
			"wildcard-position",
			'move the "*" into the leftmost label, or list the hosts',
		],
		[
			"two wildcards",
			"https://*.*.example.com",
			"wildcard-count",
			'keep one "*", as in "https://*.example.com" or "https://pr-*.example.com", or list the hosts',
		],
		[
			"a bare wildcard host",
			"https://*",
			"wildcard-position",
			'move the "*" into the leftmost label, or list the hosts',
		],
		[
			"a wildcard over an IP address",
			"http://*.0.0.1",
			"wildcard-ip",
			'list each IP origin, or write one with ":*" for every port',
		],
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
		["expose header not a token", { origins: [], exposeHeaders: ["x custom"] }, "exposeHeaders[0]", "header-not-token"],
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
			origins: [
				"null",
				"http://app.example.com",
				"http://localhost.example:*",
				"https://a.example",
				"https://A.example",
			],
			credentials: true,
		};
		const full = validateAllowlist(risky);
		const quiet = validateAllowlist(risky, { warnings: false });
		if (!full.ok || !quiet.ok) throw new Error("expected a valid document");
		expect(full.warnings.map((w) => w.rule)).toEqual([
			"null-origin",
			"insecure-with-credentials",
			"insecure-with-credentials",
			"any-port-not-loopback",
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

describe("every problem says what is wrong and how to fix it", () => {
	it.each([
		["$schema not a string", { origins: [], $schema: 1 }, "$schema", "got number 1", undefined],
		[
			"document not an object",
			null,
			"",
			"must be a JSON object, got null",
			'start from {"origins": ["https://app.example.com"]}',
		],
		["document an array", [], "", "got an array", 'start from {"origins": ["https://app.example.com"]}'],
		["document a string", "{}", "", 'got the string "{}"', 'start from {"origins": ["https://app.example.com"]}'],
		[
			"unknown field, far from any",
			{ origins: [], allowAll: true },
			"allowAll",
			'"allowAll"',
			"remove it; the fields are $schema, origins, credentials, methods, headers, exposeHeaders, maxAge, shards, mode, routes",
		],
		[
			"credentials not a boolean",
			{ origins: [], credentials: "yes" },
			"credentials",
			'got the string "yes"',
			undefined,
		],
		["maxAge above 86400", { origins: [], maxAge: 86401 }, "maxAge", "from 0 to 86400, got number 86401", "use 86400"],
		[
			"maxAge at 86400 is fine, at 86400.5 not whole",
			{ origins: [], maxAge: 86400.5 },
			"maxAge",
			"got number 86400.5",
			"use 86400",
		],
		["maxAge negative: no fix to offer", { origins: [], maxAge: -1 }, "maxAge", "got number -1", undefined],
		[
			"maxAge a string: no fix to offer",
			{ origins: [], maxAge: "90000" },
			"maxAge",
			'got the string "90000"',
			undefined,
		],
		["origins missing", {}, "origins", 'no "origins" list', 'add "origins": ["https://app.example.com"]'],
		["origins not an array", { origins: {} }, "origins", "got an object", undefined],
		[
			"* with credentials",
			{ origins: ["*"], credentials: true },
			"origins[0]",
			'"*" cannot be used with "credentials": true',
			'list the origins explicitly, or set "credentials": false',
		],
		[
			"* in methods",
			{ origins: [], methods: ["*"] },
			"methods[0]",
			'"*" is only allowed in "origins"',
			"list the methods pages send",
		],
		[
			"method not a token",
			{ origins: [], methods: ["GE T"] },
			"methods[0]",
			'"GE T" is not a valid HTTP method name',
			undefined,
		],
		[
			"forbidden method",
			{ origins: [], methods: ["CONNECT"] },
			"methods[0]",
			"CONNECT is never allowed cross-origin",
			"remove it",
		],
		[
			"a normalized method in lower case",
			{ origins: [], methods: ["put"] },
			"methods[0]",
			'browsers send "PUT" in upper case, so "put" would never match',
			'use "PUT"',
		],
		[
			"* in headers",
			{ origins: [], headers: ["*"] },
			"headers[0]",
			'"*" is only allowed in "origins"',
			"list the header names pages send",
		],
		[
			"header not a token",
			{ origins: [], headers: ["x y"] },
			"headers[0]",
			'"x y" is not a valid header name',
			undefined,
		],
		[
			"forbidden request header",
			{ origins: [], headers: ["Cookie"] },
			"headers[0]",
			'"cookie" is a forbidden request header',
			"remove it",
		],
		[
			"* in exposeHeaders",
			{ origins: [], exposeHeaders: ["*"] },
			"exposeHeaders[0]",
			'"*" is only allowed in "origins"',
			"list the response header names pages may read",
		],
		[
			"expose header not a token",
			{ origins: [], exposeHeaders: ["x y"] },
			"exposeHeaders[0]",
			'"x y" is not a valid header name',
			undefined,
		],
		[
			"set-cookie exposed",
			{ origins: [], exposeHeaders: ["Set-Cookie"] },
			"exposeHeaders[0]",
			'"set-cookie" can never be exposed to a page',
			"remove it",
		],
		[
			"a list field not an array",
			{ origins: [], headers: "x-a" },
			"headers",
			'expected an array of strings, got the string "x-a"',
			undefined,
		],
		[
			"a list item not a string",
			{ origins: [], exposeHeaders: [true] },
			"exposeHeaders[0]",
			"expected a string, got boolean true",
			undefined,
		],
	])("%s", (_rule, doc, path, message, fix) => {
		const found = problems(doc);
		expect(found).toHaveLength(1);
		expect(found[0]?.path).toBe(path);
		expect(found[0]?.message).toContain(message);
		expect(found[0]?.fix).toBe(fix);
		expect("fix" in (found[0] ?? {})).toBe(fix !== undefined);
	});

	it("a document that is not JSON names the parser's complaint", () => {
		const result = validateAllowlistText("{oops}");
		expect(result).toMatchObject({ ok: false, warnings: [] });
		expect(!result.ok && result.problems[0]?.message).toMatch(/^not valid JSON: \S/);
	});

	it("a document without a path is named as the document", () => {
		expect(formatProblem({ path: "", rule: "r", message: "m" })).toBe("document: m [r]");
	});
});

describe("unknown fields: the field a typo meant", () => {
	it.each([
		["a missing s", "origin", "origins"],
		["an extra s", "credential", "credentials"],
		["another case", "MaxAge", "maxAge"],
		["another case and a missing s", "Header", "headers"],
		["one letter changed", "methodz", "methods"],
		["one letter changed at the start", "xethods", "methods"],
		["one letter dropped", "metods", "methods"],
		["one letter added", "shardss", "shards"],
		["one letter added inside", "maxxAge", "maxAge"],
		["the exposeHeaders of other CORS libraries", "exposedHeaders", "exposeHeaders"],
	])("%s: %s → %s", (_rule, typo, field) => {
		const [p] = problems({ origins: [], [typo]: 1 });
		expect(p).toMatchObject({ path: typo, rule: "unknown-field", message: `unknown field "${typo}"` });
		expect(p?.fix).toBe(`did you mean "${field}"?`);
	});

	it.each([
		["two letters changed", "mexhodz"],
		["two letters dropped", "meods"],
		["two letters added", "methodsxy"],
		["a different word", "allow"],
		["a field's name inside a longer one", "originsList"],
	])("no suggestion for %s: %s", (_rule, name) => {
		const [p] = problems({ origins: [], [name]: 1 });
		expect(p?.fix).toMatch(/^remove it; the fields are /);
	});
});

describe("public suffixes: with the Public Suffix List (the command line), wildcards on one are refused", () => {
	const check = (entry: string) => validateAllowlist({ origins: [entry] }, { publicSuffixes });

	it.each([
		["an ICANN second-level suffix", "https://*.co.uk", "co.uk", "a domain registry's suffix"],
		["an ICANN second-level suffix", "https://*.com.au", "com.au", "a domain registry's suffix"],
		["an ICANN suffix, in capitals", "https://*.GOV.uk", "gov.uk", "a domain registry's suffix"],
		["shared hosting", "https://*.github.io", "github.io", "shared hosting"],
		["shared hosting", "https://*.herokuapp.com", "herokuapp.com", "shared hosting"],
		["shared hosting", "https://*.workers.dev", "workers.dev", "shared hosting"],
		["shared hosting, with a port", "https://*.pages.dev:8443", "pages.dev", "shared hosting"],
		["shared hosting, on any port", "https://*.netlify.app:*", "netlify.app", "shared hosting"],
	])("%s: %s", (_rule, entry, suffix, section) => {
		const result = check(entry);
		expect(result.ok).toBe(false);
		const problems = result.ok ? [] : result.problems;
		expect(problems).toHaveLength(1);
		expect(problems[0]).toMatchObject({ path: "origins[0]", rule: "wildcard-public-suffix" });
		expect(problems[0]?.message).toContain(`"${suffix}" is a public suffix of the Public Suffix List (${section}`);
		expect(problems[0]?.fix).toBe(`list a domain you control under it, such as "https://*.example.${suffix}"`);
	});

	const registry = "the Public Suffix List (a domain registry's suffix)";
	const shared = "the Public Suffix List (shared hosting: anyone can have a site there)";
	const broadGlobFix =
		"make sure the glob's literal part is one nobody else can pick, or serve previews from a domain you control";

	it.each([
		[
			"a glob on an ICANN suffix is refused, its fix keeps the glob's label",
			"https://shop-*.co.uk",
			false,
			"glob-public-suffix",
			`"https://shop-*.co.uk" would admit sites of unrelated owners: "co.uk" is a public suffix of ${registry}`,
			'list a domain you control under it, such as "https://shop-*.example.co.uk"',
		],
		[
			"a glob on an ICANN suffix, on any port: the suffix without the port",
			"http://shop-*.co.uk:*",
			false,
			"glob-public-suffix",
			`"http://shop-*.co.uk:*" would admit sites of unrelated owners: "co.uk" is a public suffix of ${registry}`,
			'list a domain you control under it, such as "http://shop-*.example.co.uk"',
		],
		[
			"a glob directly under shared hosting is only warned about",
			"https://*--myapp.netlify.app",
			true,
			"broad-glob",
			`"https://*--myapp.netlify.app" admits sites that anyone can name under "netlify.app", a public suffix of ${shared}`,
			broadGlobFix,
		],
		[
			"a glob under shared hosting, with a prefix",
			"https://myapp-*-team.vercel.app",
			true,
			"broad-glob",
			`"https://myapp-*-team.vercel.app" admits sites that anyone can name under "vercel.app", a public suffix of ${shared}`,
			broadGlobFix,
		],
	])("%s: %s", (_rule, entry, ok, rule, message, fix) => {
		const result = check(entry);
		expect(result.ok).toBe(ok);
		const found = result.ok ? result.warnings : result.problems;
		expect(found).toEqual([{ path: "origins[0]", rule, message, fix }]);
	});

	it("warnings: false (the Worker's way) drops the broad-glob warning, never the refusal of a glob", () => {
		const quiet = (entry: string) => validateAllowlist({ origins: [entry] }, { publicSuffixes, warnings: false });
		expect(quiet("https://*--myapp.netlify.app")).toMatchObject({ ok: true, warnings: [] });
		expect(quiet("https://shop-*.co.uk")).toMatchObject({
			ok: false,
			problems: [{ path: "origins[0]", rule: "glob-public-suffix" }],
		});
	});

	it.each([
		["a wildcard: the domain under the *", "https://*.Example.com", ["example.com"]],
		["a wildcard with a port: the domain without it", "https://*.example.com:8443", ["example.com"]],
		["a wildcard on any port: the domain without it", "http://*.example.com:*", ["example.com"]],
		["a glob: the domain under its label", "https://pr-*.preview.example.com", ["preview.example.com"]],
		["a glob on any port: the domain without it", "https://pr-*.example.com:*", ["example.com"]],
		["an exact origin is no pattern", "https://app.example.co.uk", []],
		["an exact origin not in normal form is no pattern either", "https://App.Example.co.uk:443", []],
		["any port on one host is no pattern", "https://app.github.io:*", []],
		['"*"', "*", []],
		['"null"', "null", []],
	])("the list is asked about a pattern's fixed domain only: %s: %s", (_rule, entry, asked) => {
		const seen: string[] = [];
		const lookup = (domain: string) => {
			seen.push(domain);
			return undefined;
		};
		expect(validateAllowlist({ origins: [entry] }, { publicSuffixes: lookup }).ok).toBe(true);
		expect(seen).toEqual(asked);
	});

	it.each([
		["a registrable domain", "https://*.example.com"],
		["a registrable domain under an ICANN suffix", "https://*.example.co.uk"],
		["a site's own name under shared hosting", "https://*.myapp.github.io"],
		["a glob under a site's own name on shared hosting", "https://pr-*.myapp.netlify.app"],
		["a name the list does not know", "https://*.shop.example"],
		["a registrable domain with a port", "https://*.example.com:8443"],
		["a registrable domain whose first label is a suffix's word", "https://*.co.example.com"],
		["an exact origin on shared hosting", "https://myapp.github.io"],
		["an exact origin that is a public suffix", "https://github.io"],
		["a glob under a registrable domain", "https://pr-*.preview.example.com"],
	])("not %s: %s", (_rule, entry) => {
		const result = check(entry);
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([]);
	});

	it("in a route's origins too", () => {
		const result = validateAllowlist(
			{ origins: ["https://app.example.com"], routes: { "/p": { origins: ["https://*.github.io"] } } },
			{ publicSuffixes },
		);
		expect(result.ok ? [] : result.problems.map((p) => [p.path, p.rule])).toEqual([
			['routes["/p"].origins[0]', "wildcard-public-suffix"],
		]);
	});

	it("without the list (the Worker), no entry is refused or warned about for its suffix", () => {
		const result = validateAllowlist({
			origins: ["https://*.github.io", "https://*.co.uk", "https://x-*.netlify.app"],
		});
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([]);
	});
});

describe("insecure-with-credentials: plain http with credentials on is warned about", () => {
	it("names the origin and offers its https form", () => {
		const result = validateAllowlist({
			origins: ["http://app.example.com:8080", "https://b.example"],
			credentials: true,
		});
		expect(result.warnings).toEqual([
			{
				path: "origins[0]",
				rule: "insecure-with-credentials",
				message:
					'"http://app.example.com:8080" is plain http with credentials on: anyone on the network path can act as that origin',
				fix: 'use "https://app.example.com:8080" if the site supports it',
			},
		]);
	});

	it("not without credentials", () => {
		expect(validateAllowlist({ origins: ["http://app.example.com"] }).warnings).toEqual([]);
	});
});

describe("other warnings say why, and how to fix when there is a fix", () => {
	it.each([
		["null-origin", { origins: ["null"] }, "origins[0]", "any site can produce it", undefined],
		["origins-empty", { origins: [] }, "origins", "every cross-origin request will be refused", undefined],
		[
			"duplicate",
			{ origins: ["https://a.example", "https://a.example"] },
			"origins[1]",
			"listed already",
			"remove the repeat",
		],
		[
			"method-case",
			{ origins: ["https://a.example"], methods: ["patch"] },
			"methods[0]",
			'methods are case-sensitive and "patch" is sent exactly as the page writes it',
			'use "PATCH" if that is what pages send',
		],
		[
			"max-age-capped",
			{ origins: ["https://a.example"], maxAge: 7201 },
			"maxAge",
			"7201 seconds: Chromium caches a preflight for at most 7200 (2 hours), so Chrome and Edge ask again sooner; Firefox keeps it up to 86400",
			"use 7200 to say what Chromium does, or keep 7201 for Firefox",
		],
		[
			"any-port-not-loopback",
			{ origins: ["https://app.example.com:*"] },
			"origins[0]",
			'"https://app.example.com:*" admits every port of a host that is not this machine: whatever else listens there can read the answers',
			'list the ports in use ("https://app.example.com"), or keep ":*" to localhost, 127.0.0.1 and [::1]',
		],
	])("%s", (rule, doc, path, message, fix) => {
		const [w] = validateAllowlist(doc).warnings;
		expect(w).toMatchObject({ rule, path });
		expect(w?.message).toContain(message);
		expect(w?.fix).toBe(fix);
		expect("fix" in (w ?? {})).toBe(fix !== undefined);
	});

	it("a sharded document with no origins of its own is not warned about as empty", () => {
		expect(
			validateAllowlist({ origins: [], shards: { version: "v1", count: 1, seed: 1, entries: 0, depths: [] } }).warnings,
		).toEqual([]);
	});
});

describe("forbidden names and methods, one row per name of the Fetch standard's lists", () => {
	it.each([
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
		"proxy-anything",
		"sec-anything",
	])("request header %s is refused in headers", (name) => {
		expect(problems({ origins: [], headers: [name] })).toEqual([
			expect.objectContaining({ path: "headers[0]", rule: "header-forbidden" }),
		]);
	});

	it.each(["x-proxy-id", "x-sec-token", "dnt-x", "cookies", "x-origin", "proxy", "sec"])(
		"a name that only contains a forbidden one is allowed: %s",
		(name) => {
			expect(normalized({ origins: [], headers: [name] }).headers).toEqual([name]);
		},
	);

	it.each(["set-cookie", "Set-Cookie2"])("response header %s cannot be exposed", (name) => {
		expect(problems({ origins: [], exposeHeaders: [name] })).toEqual([
			expect.objectContaining({ rule: "expose-forbidden" }),
		]);
	});

	it.each(["delete", "get", "head", "options", "post", "put"])(
		"%s: a method the browser upper-cases is refused in lower case",
		(method) => {
			expect(problems({ origins: [], methods: [method] })).toEqual([expect.objectContaining({ rule: "method-case" })]);
		},
	);

	it.each([
		["a non-ASCII character", "x-é"],
		["a character past the ASCII table's end", "x-\u0180"],
		["an empty name", ""],
	])("a header name with %s is not a token", (_rule, name) => {
		expect(problems({ origins: [], headers: [name] })).toEqual([expect.objectContaining({ rule: "header-not-token" })]);
	});
});

describe("origins entries: each fault says what is wrong, and the fix when there is one", () => {
	const labels253 = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");

	it.each([
		["not a string: null", null, "origin-not-string", "expected a string, got null", undefined],
		["not a string: an array", ["https://a.example"], "origin-not-string", "got an array", undefined],
		["not a string: an object", {}, "origin-not-string", "got an object", undefined],
		["not a string: a number", 42, "origin-not-string", "got number 42", undefined],
		[
			"empty",
			"",
			"origin-empty",
			"the entry is empty",
			'remove it, or write an origin such as "https://app.example.com"',
		],
		[
			"whitespace around it",
			" https://a.example ",
			"origin-whitespace",
			"contains whitespace",
			'use "https://a.example"',
		],
		["whitespace around and inside it", " https://a .example", "origin-whitespace", "contains whitespace", undefined],
		["null in capitals", "Null", "origin-null-case", 'written "null" in lowercase', 'use "null"'],
		[
			"no scheme, a path kept",
			"app.example.com/x",
			"origin-missing-scheme",
			"has no scheme",
			'use "https://app.example.com/x"',
		],
		[
			"no scheme, leading slashes dropped",
			"//app.example.com",
			"origin-missing-scheme",
			"has no scheme",
			'use "https://app.example.com"',
		],
		["an empty scheme", "://app.example.com", "origin-scheme", 'scheme "" is not allowed', undefined],
		[
			"another scheme, as written",
			"FTP://a.example",
			"origin-scheme",
			'scheme "FTP" is not allowed; only http and https',
			undefined,
		],
		["user-info", "https://u@a.example/x", "origin-userinfo", 'user-info ("user@")', 'use "https://a.example"'],
		["an empty user-info", "https://@a.example", "origin-userinfo", "user-info", 'use "https://a.example"'],
		["an @ in the path is a path", "https://a.example/@b", "origin-has-path", "has a path", 'use "https://a.example"'],
		["an @ after an empty host's path", "https:///@a.example", "origin-has-path", "has a path", 'use "https://"'],
		["a path and no host", "https:///a.example", "origin-has-path", "has a path", 'use "https://"'],
		["no host", "https://", "host-empty", "the entry has no host", undefined],
		["a port and no host", "https://:8080", "host-empty", "the entry has no host", undefined],
		["a bad port and no host", "https://:0", "origin-port", 'port "0" is not a number from 1 to 65535', undefined],
		["a port with a letter first", "https://a.example:x80", "origin-port", 'port "x80"', undefined],
		["a port with a letter last", "https://a.example:80x", "origin-port", 'port "80x"', undefined],
		[
			"a port above 65535",
			"https://a.example:65536",
			"origin-port",
			'port "65536" is not a number from 1 to 65535',
			undefined,
		],
		[
			"a port with a leading zero",
			"https://a.example:08080",
			"origin-port",
			'port "08080" has a leading zero',
			"use port 8080",
		],
		["an empty port", "https://a.example:", "origin-port", 'ends in ":" with no port', 'use "https://a.example"'],
		["an unclosed IPv6 literal", "http://[::1", "host-ipv6", 'no closing "]"', undefined],
		["text after an IPv6 literal", "http://[::1]x", "host-ipv6", 'unexpected "x" after the IPv6 literal', undefined],
		[
			"an empty port after an IPv6 literal",
			"http://[::1]:",
			"origin-port",
			'ends in ":" with no port',
			'use "http://[::1]"',
		],
		["an invalid IPv6 literal", "http://[zz]", "host-ipv6", '"[zz]" is not a valid IPv6 literal', undefined],
		[
			"a host the URL parser refuses",
			"https://a%zz.example",
			"host-invalid",
			'"a%zz.example" is not a valid host name',
			undefined,
		],
		[
			"a wildcard domain the URL parser refuses",
			"https://*.a%zz.example",
			"host-invalid",
			'"a%zz.example" is not a valid host name',
			undefined,
		],
		[
			"a character no host may have",
			"https://a!b.example",
			"host-invalid-character",
			'host label "a!b" contains "!"',
			undefined,
		],
		[
			"a wildcard domain with a character no host may have",
			"https://*.a!b.example",
			"host-invalid-character",
			'contains "!"',
			undefined,
		],
		["an empty label", "https://a..example", "host-empty-label", "two dots in a row", undefined],
		[
			"a label over 63 characters",
			`https://${"A".repeat(64)}.example`,
			"host-label-too-long",
			`"${"a".repeat(64)}" is longer than 63 characters`,
			undefined,
		],
		[
			"a host over 253 characters",
			`https://${labels253.toUpperCase()}.e`,
			"host-too-long",
			"host is longer than 253 characters",
			undefined,
		],
		[
			"a wildcard outside the leftmost label",
			"https://a.b*.example.com",
			"wildcard-position",
			'must be in its leftmost label, as in "https://*.example.com" or "https://pr-*.example.com"',
			'move the "*" into the leftmost label, or list the hosts',
		],
		[
			"a wildcard on a top-level domain",
			"https://*.com",
			"wildcard-too-broad",
			'"*.com" would match every host under a top-level domain',
			'list a registrable domain, such as "https://*.example.com"',
		],
		[
			"a wildcard over an IP address",
			"https://*.0.0.12",
			"wildcard-ip",
			"cannot stand in an IP address",
			'list each IP origin, or write one with ":*" for every port',
		],
		[
			"a host the URL parser would rewrite",
			"http://0x7f.1:8080",
			"host-invalid",
			'"0x7f.1" is not a host name browsers send as written; it would be read as "127.0.0.1"',
			'use "http://127.0.0.1:8080"',
		],
	])("%s: %j", (_rule, entry, rule, message, fix) => {
		const found = problems({ origins: [entry] });
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ path: "origins[0]", rule });
		expect(found[0]?.message).toContain(message);
		expect(found[0]?.fix).toBe(fix);
		expect("fix" in (found[0] ?? {})).toBe(fix !== undefined);
	});

	it.each([
		["a host of exactly 253 characters", `https://${labels253.toUpperCase()}`, `https://${labels253}`],
		["a label of exactly 63 characters", `https://${"A".repeat(63)}.example`, `https://${"a".repeat(63)}.example`],
		["port 65535", "https://A.example:65535", "https://a.example:65535"],
		["a wildcard whose last label only starts with a digit", "https://*.example.1a", "https://*.example.1a"],
		["a wildcard whose last label only ends with a digit", "https://*.Example.a1", "https://*.example.a1"],
		["an IPv6 literal with a port", "http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"],
	])("accepts %s", (_rule, entry, expected) => {
		expect(normalized({ origins: [entry] }).origins).toEqual([expected]);
	});
});

describe("maxAge: whole seconds from 0 to 86400, both ends included", () => {
	it.each([0, 86400])("%d is valid", (maxAge) => {
		expect(normalized({ origins: [], maxAge }).maxAge).toBe(maxAge);
	});
});
