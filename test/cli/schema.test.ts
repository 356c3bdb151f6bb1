// allowlist.schema.json, the editor aid, against the validator the gateway and the command
// line use: the example validates under both, and both accept and refuse the same
// documents, row by row; the few places where a JSON Schema cannot say as much are listed.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { validateAllowlist } from "../../src/policy/document.ts";
import { ROOT } from "../support/cli.ts";

let schemaAccepts: (doc: unknown) => boolean;

beforeAll(async () => {
	const schema = JSON.parse(await readFile(join(ROOT, "allowlist.schema.json"), "utf8"));
	// strict: the schema must compile in a strict validator, Unicode regular expressions included.
	const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
	schemaAccepts = (doc) => validate(doc) === true;
});

const o = (...origins: unknown[]) => ({ origins });

describe("the example allowlist", () => {
	it('names the schema in "$schema", and both accept it', async () => {
		const example = JSON.parse(await readFile(join(ROOT, "allowlist.example.json"), "utf8"));
		expect(example.$schema).toBe("./allowlist.schema.json");
		expect(schemaAccepts(example)).toBe(true);
		expect(validateAllowlist(example).ok).toBe(true);
	});
});

describe("schema and validator agree", () => {
	it.each([
		[
			"the docs/SPEC.md example",
			{
				...o("https://app.example.com", "https://*.example.com", "http://localhost:5173"),
				credentials: false,
				methods: ["GET", "HEAD", "POST"],
				headers: ["content-type", "authorization"],
				exposeHeaders: ["x-request-id"],
				maxAge: 600,
			},
		],
		["only origins", o("https://app.example.com")],
		["an empty list", o()],
		['"*" without credentials', o("*")],
		['"null", literally', o("null")],
		["a wildcard with a port", o("https://*.example.com:8443")],
		["any port on localhost", o("http://localhost:*")],
		["any port on an IPv6 loopback", o("http://[::1]:*")],
		["a wildcard on any port", o("https://*.example.com:*")],
		["a label glob", o("https://pr-*.preview.example.com")],
		["a glob at the start of a label", o("https://*--myapp.netlify.app")],
		["a glob inside a label, on a port", o("https://myapp-*-team.vercel.app:8443")],
		["a glob on any port", o("http://dev-*.example.test:*")],
		["an IPv6 literal", o("http://[::1]:8080")],
		["an upper-case host (normalized)", o("https://APP.Example.com")],
		["a default port (normalized)", o("https://app.example.com:443")],
		["a host with _", o("https://my_app.example.com")],
		["an IDN host", o("https://bücher.example")],
		["a custom method", { ...o(), methods: ["PURGE"] }],
		["maxAge at its limits", { ...o(), maxAge: 86400 }],
		['"$schema"', { ...o(), $schema: "./allowlist.schema.json" }],
		[
			"routes: path keys, host keys, the root",
			{
				...o("https://app.example.com"),
				routes: {
					"/fonts/": { origins: ["*"], maxAge: 86400 },
					"/api/v2": { methods: ["PUT"], headers: ["x-custom"], exposeHeaders: ["x-request-id"] },
					"assets.example.com/": { credentials: false },
					"API.example.com/v2": {},
					"/": { origins: [] },
				},
			},
		],
		["an empty routes object", { ...o(), routes: {} }],
		['mode "report-only" at the top level', { ...o(), mode: "report-only" }],
		['mode "enforce", the default', { ...o(), mode: "enforce" }],
		[
			"a route's own mode, either way",
			{ ...o(), mode: "report-only", routes: { "/a": { mode: "enforce" }, "/b": { mode: "report-only" } } },
		],
		[
			'"*" in a route that turns credentials off',
			{ ...o(), credentials: true, routes: { "/f": { origins: ["*"], credentials: false } } },
		],
		[
			'credentials on in a route with its own origins, under a top-level "*"',
			{ ...o("*"), routes: { "/app": { origins: ["https://app.example.com"], credentials: true } } },
		],
	])("accepted: %s", (_rule, doc) => {
		expect(validateAllowlist(doc).ok).toBe(true);
		expect(schemaAccepts(doc)).toBe(true);
	});

	it.each([
		["not an object", ["https://a.example"]],
		["no origins", {}],
		["origins not an array", { origins: "https://a.example" }],
		["an entry that is not a string", o(42)],
		["a path", o("https://app.example.com/")],
		["a query", o("https://app.example.com?x")],
		["a fragment", o("https://app.example.com#x")],
		["user-info", o("https://user@app.example.com")],
		["no scheme", o("app.example.com")],
		["a wildcard without a scheme", o("*.example.com")],
		["a wildcard on a top-level domain", o("https://*.com")],
		["a wildcard outside the leftmost label", o("https://a.b*.example.com")],
		["two stars in the host", o("https://a*b*.example.com")],
		["a glob beside a *. label", o("https://*.pr-*.example.com")],
		["a glob on a top-level domain", o("https://pr-*.com")],
		["a bare * label with a port wildcard only", o("https://*:*")],
		["a port that is neither a number nor *", o("http://localhost:**")],
		["a wildcard not leftmost", o("https://app.*.example.com")],
		["another scheme", o("ftp://files.example.com")],
		["whitespace", o(" https://app.example.com")],
		["port 0", o("https://app.example.com:0")],
		["port 65536", o("https://app.example.com:65536")],
		["a port with a leading zero", o("https://app.example.com:0443")],
		["an empty port", o("https://app.example.com:")],
		["an empty label", o("https://app..example.com")],
		['"*" with credentials', { ...o("*"), credentials: true }],
		["an unknown field", { ...o(), exposedHeaders: [] }],
		["credentials not a boolean", { ...o(), credentials: "yes" }],
		["maxAge too large", { ...o(), maxAge: 86401 }],
		["maxAge negative", { ...o(), maxAge: -1 }],
		["maxAge not whole", { ...o(), maxAge: 1.5 }],
		["CONNECT", { ...o(), methods: ["CONNECT"] }],
		["TRACE in any case", { ...o(), methods: ["trace"] }],
		["a method that is not a token", { ...o(), methods: ["GET POST"] }],
		["* in methods", { ...o(), methods: ["*"] }],
		["a forbidden header", { ...o(), headers: ["Cookie"] }],
		["a sec- header", { ...o(), headers: ["Sec-Fetch-Mode"] }],
		["a proxy- header", { ...o(), headers: ["proxy-authorization"] }],
		["* in headers", { ...o(), headers: ["*"] }],
		["a header name that is not a token", { ...o(), headers: ["x api key"] }],
		["set-cookie exposed", { ...o(), exposeHeaders: ["Set-Cookie"] }],
		["* in exposeHeaders", { ...o(), exposeHeaders: ["*"] }],
		['"$schema" not a string', { ...o(), $schema: 1 }],
		["routes not an object", { ...o(), routes: [] }],
		["a route that is not an object", { ...o(), routes: { "/f": true } }],
		["a route key without a leading /", { ...o(), routes: { fonts: {} } }],
		["a route key with a query", { ...o(), routes: { "/f?x": {} } }],
		["a route key with a .. segment", { ...o(), routes: { "/a/../b": {} } }],
		["a route key with an empty segment", { ...o(), routes: { "/a//b": {} } }],
		["a route key with percent-encoding", { ...o(), routes: { "/a%2Fb": {} } }],
		["a route key with a port", { ...o(), routes: { "api.example.com:8443/": {} } }],
		["a route key with a scheme", { ...o(), routes: { "https://api.example.com/": {} } }],
		["a route key with a wildcard host", { ...o(), routes: { "*.example.com/": {} } }],
		["an unknown field in a route", { ...o(), routes: { "/f": { orgins: [] } } }],
		["an unknown mode", { ...o(), mode: "report" }],
		["a mode in another case", { ...o(), mode: "Report-Only" }],
		["a mode that is not a string", { ...o(), mode: true }],
		["an unknown mode in a route", { ...o(), routes: { "/f": { mode: "off" } } }],
		["shards in a route", { ...o(), routes: { "/f": { shards: {} } } }],
		[
			'"*" in a route with the top level\'s credentials',
			{ ...o(), credentials: true, routes: { "/f": { origins: ["*"] } } },
		],
		['credentials on in a route with its own "*"', { ...o(), routes: { "/f": { origins: ["*"], credentials: true } } }],
		['credentials on in a route that inherits "*"', { ...o("*"), routes: { "/f": { credentials: true } } }],
		["a route's invalid origin", { ...o(), routes: { "/f": { origins: ["https://a.example/"] } } }],
		["a route's forbidden header", { ...o(), routes: { "/f": { headers: ["cookie"] } } }],
		["a route's maxAge too large", { ...o(), routes: { "/f": { maxAge: 86401 } } }],
		[
			"more than 1,000 routes",
			{ ...o(), routes: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`/r${i}`, {}])) },
		],
		[
			"more than 10,000 origins in a route",
			{
				...o(),
				routes: { "/f": { origins: Array.from({ length: 10_001 }, (_, i) => `https://o${i}.example.com`) } },
			},
		],
	])("refused: %s", (_rule, doc) => {
		expect(validateAllowlist(doc).ok).toBe(false);
		expect(schemaAccepts(doc)).toBe(false);
	});
});

describe("where a JSON Schema says less (the validator is authoritative, as the schema's description states)", () => {
	it.each([
		["a host the URL parser would read as an IPv4 address", o("https://1.2")],
		["a host label longer than 63 characters", o(`https://${"a".repeat(64)}.example.com`)],
		["a lower-case method browsers send upper-cased", { ...o(), methods: ["delete"] }],
		["two route keys that are one route (a trailing /)", { ...o(), routes: { "/f": {}, "/f/": {} } }],
		["a route key over 32 segments", { ...o(), routes: { ["/a".repeat(33)]: {} } }],
	])("the schema accepts, the validator refuses: %s", (_rule, doc) => {
		expect(schemaAccepts(doc)).toBe(true);
		expect(validateAllowlist(doc).ok).toBe(false);
	});
});
