// docs/SPEC.md "Report-only mode": the document's `mode`, one row per rule: which values
// validate, how a route inherits it, the normal form, and what the compiled policy says.
import { describe, expect, it } from "vitest";
import { validateAllowlist } from "../../src/policy/document.ts";
import { compileAllowlist, formatProblem } from "../../src/policy/index.ts";

const TOP = { origins: ["https://app.example.com"] };

function compiled(doc: object) {
	const result = compileAllowlist(doc);
	if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
	return result;
}

describe("valid modes", () => {
	it.each([
		["no mode: enforce", TOP, undefined],
		['"enforce", the default, is not written', { ...TOP, mode: "enforce" }, undefined],
		['"report-only" is written', { ...TOP, mode: "report-only" }, "report-only"],
	])("%s", (_rule, doc, normal) => {
		expect(compiled(doc).document.mode).toBe(normal);
	});

	it("an enforcing document normalizes exactly as before mode existed", () => {
		const doc = { ...TOP, routes: { "/api": { maxAge: 60 } } };
		expect(compiled(doc).document).toEqual(compiled({ ...doc, mode: "enforce" }).document);
		expect(Object.keys(compiled(doc).document)).not.toContain("mode");
	});

	it("a route keeps the mode it writes, enforce included (it stops inheriting report-only)", () => {
		const doc = { ...TOP, mode: "report-only", routes: { "/a": { mode: "enforce" }, "/b": { mode: "report-only" } } };
		expect(compiled(doc).document.routes).toEqual({ "/a": { mode: "enforce" }, "/b": { mode: "report-only" } });
	});
});

describe("a route without mode inherits the top level's", () => {
	it.each([
		["enforce top, silent route", undefined, undefined, false],
		["enforce top, report-only route", undefined, "report-only", true],
		["report-only top, silent route", "report-only", undefined, true],
		["report-only top, enforcing route", "report-only", "enforce", false],
	])("%s", (_rule, top, route, reportOnly) => {
		const doc = {
			...TOP,
			...(top ? { mode: top } : {}),
			routes: { "/api": route ? { mode: route } : { maxAge: 1 } },
		};
		const result = validateAllowlist(doc);
		expect(result.ok && result.routes[0]?.settings.mode).toBe(reportOnly ? "report-only" : undefined);
		const { policy } = compiled(doc);
		expect(policy.policyFor("gw.example", "/api/x").reportOnly).toBe(reportOnly);
		expect(policy.policyFor("gw.example", "/other").reportOnly).toBe(top === "report-only");
		expect(policy.reports).toBe(top === "report-only" || route === "report-only");
	});
});

describe("any other value is a problem, so the document is invalid and access is never widened", () => {
	it.each([
		["a misspelt mode", { ...TOP, mode: "report" }, "mode", undefined],
		["another case", { ...TOP, mode: "Report-Only" }, "mode", 'write "report-only"'],
		["camel case", { ...TOP, mode: "reportOnly" }, "mode", 'write "report-only"'],
		["a boolean", { ...TOP, mode: true }, "mode", undefined],
		["null", { ...TOP, mode: null }, "mode", undefined],
		["in a route", { ...TOP, routes: { "/api": { mode: "ENFORCE" } } }, 'routes["/api"].mode', 'write "enforce"'],
	])("%s", (_rule, doc, path, fix) => {
		const result = validateAllowlist(doc);
		expect(result.ok).toBe(false);
		const problem = result.ok ? undefined : result.problems.find((p) => p.rule === "mode-unknown");
		expect(problem).toMatchObject({ path, message: expect.stringContaining('expected "enforce" or "report-only"') });
		if (fix) expect(problem?.fix).toBe(fix);
		else expect(problem?.fix).toMatch(/remove it to enforce/);
	});
});

describe("the compiled policy", () => {
	it("an enforcing document has no report-only policy anywhere: the Worker never looks up a route for it", () => {
		const { policy } = compiled({ ...TOP, routes: { "/a": {}, "/b": { mode: "enforce" } } });
		expect(policy.reports).toBe(false);
		expect(policy.reportOnly).toBe(false);
	});
});
