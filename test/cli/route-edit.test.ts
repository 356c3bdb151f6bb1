// add --route and remove --route as candidate documents, in process (route-edit is pure):
// one row per rule. The KV round trips are in add-remove.test.ts.
import { describe, expect, it } from "vitest";
import { addToRoute, addToTop, removeFromRoute, removeFromTop } from "../../src/cli/route-edit.ts";
import { type AllowlistDocument, compileAllowlist, parseRouteKey, type RouteKey } from "../../src/policy/index.ts";

function compiled(doc: object) {
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(JSON.stringify(result.problems));
	return result;
}

const APP = "https://app.example.com";
const P = "https://p.example";
const BASE = compiled({
	origins: [APP, "https://b.example"],
	routes: { "/api": { origins: [P] }, "/admin": { methods: ["DELETE"] } },
});
const doc: AllowlistDocument = BASE.document;
const key = (raw: string) => parseRouteKey(raw) as RouteKey;
const add = (raw: string, entries: string[], stopInheriting = false) =>
	addToRoute(doc, key(raw), entries, { stopInheriting, policy: BASE.policy });

describe("add --route", () => {
	it("to a route's own origins: appended, a listed one noted and skipped", () => {
		const edit = add("/api/", [P, "https://n.example"]);
		expect(edit.candidate.routes?.["/api"]).toEqual({ origins: [P, "https://n.example"] });
		expect(edit.notes).toEqual([`note: ${P} is listed already in route /api`]);
		expect(edit.candidate.origins).toBe(doc.origins);
	});

	it("to a route that does not exist: created with just these origins, and what decided its paths until now", () => {
		const edit = add("/api/v2", ["https://n.example"]);
		expect(edit.candidate.routes?.["/api/v2"]).toEqual({ origins: ["https://n.example"] });
		expect(edit.notes).toEqual([
			"note: route /api/v2 is new: requests to it are decided by it from now on (until now: route /api), with just these origins and the top level's other settings",
		]);
	});

	it("to a route that inherits the top level's origins: refused without --stop-inheriting (exit 2)", () => {
		expect(() => add("/admin", ["https://n.example"])).toThrow(
			/^route \/admin uses the top level's 2 origins; a list of its own replaces them, never adds to them, so it would admit only https:\/\/n\.example\. Re-run with --stop-inheriting/,
		);
	});

	it("with --stop-inheriting: the route's own list is these origins, and it says what it no longer admits", () => {
		const edit = add("/admin", ["https://n.example"], true);
		expect(edit.candidate.routes?.["/admin"]).toEqual({ methods: ["DELETE"], origins: ["https://n.example"] });
		expect(edit.notes).toEqual([
			"note: route /admin gets origins of its own: it no longer admits the top level's 2 origins, only these",
		]);
	});

	it('an edit that leaves a route invalid is the validator\'s to refuse: "*" in a route with credentials', () => {
		const withCredentials = compiled({ origins: [APP], routes: { "/c": { origins: [P], credentials: true } } });
		const edit = addToRoute(withCredentials.document, key("/c"), ["*"], { stopInheriting: false });
		const result = compileAllowlist(edit.candidate);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problems.map((p) => [p.path, p.rule])).toEqual([
			['routes["/c"].origins[1]', "wildcard-with-credentials"],
		]);
	});
});

describe("remove --route", () => {
	it("from a route's own origins; the last one leaves an empty list, which the validator warns about", () => {
		const edit = removeFromRoute(doc, key("/api"), [P]);
		expect(edit.candidate.routes?.["/api"]).toEqual({ origins: [] });
		const result = compileAllowlist(edit.candidate);
		expect(result.warnings.map((w) => [w.path, w.rule])).toEqual([['routes["/api"].origins', "origins-empty"]]);
	});

	it.each([
		[
			"an origin not in the route's own list: nothing removed (all or nothing)",
			"/api",
			[P, APP],
			`not in the origins of route /api: ${APP}; nothing removed (run "cors-gateway list --route /api" to see them)`,
		],
		[
			"a route that inherits the top level's origins",
			"/admin",
			[APP],
			"route /admin has no origins of its own: it uses the top level's; nothing removed (to stop admitting an origin there and wherever the top level's origins apply, run \"cors-gateway remove ORIGIN\")",
		],
		[
			"a route that does not exist",
			"/nope",
			[APP],
			"no route /nope in the allowlist (its routes are /admin, /api); nothing removed",
		],
	])("refused: %s", (_rule, raw, entries, message) => {
		expect(() => removeFromRoute(doc, key(raw), entries)).toThrow(message);
	});
});

describe("add and remove without --route say what they mean for routes", () => {
	it("add: the routes with their own origins do not admit the new ones", () => {
		expect(addToTop(doc, ["https://n.example"]).notes).toEqual([
			"note: routes with origins of their own (/api) do not admit these; add them there with --route KEY",
		]);
	});

	it("remove: the routes that inherit stop admitting them too", () => {
		expect(removeFromTop(doc, [APP]).notes).toEqual([
			"note: routes that use the top level's origins (/admin) stop admitting these too",
		]);
	});
});
