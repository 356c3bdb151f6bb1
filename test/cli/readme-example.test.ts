// The README's worked example ("one gateway, many audiences") stays true: its document is
// valid as written, and every `check` it shows prints what the README says, line for line
// ("…" stands for lines left out), with the exit code its verdict implies.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, withTempDirs, writeDocument } from "../support/cli.ts";

const README = await readFile(join(ROOT, "README.md"), "utf8");
const SECTION = (() => {
	const start = README.indexOf("### Worked example: one gateway, many audiences");
	const end = README.indexOf("\n## ", start);
	if (start < 0 || end < 0) throw new Error("README: the worked example section is gone");
	return README.slice(start, end);
})();

function block(lang: string): string {
	const fence = "```";
	const match = new RegExp(`${fence}${lang}\\n([\\s\\S]*?)\\n${fence}`).exec(SECTION);
	if (match === null) throw new Error(`README's worked example has no ${lang} block`);
	return match[1] as string;
}

const DOCUMENT = JSON.parse(block("json")) as object;

interface Shown {
	args: string[];
	output: string[];
}

/** Each `$ npx cors-gateway …` of the console block (continued by `\`), and the lines shown under it. */
const SHOWN: Shown[] = block("console")
	.split(/^\$ /m)
	.filter((part) => part.trim() !== "")
	.map((part) => {
		const lines = part.split("\n");
		let command = "";
		while (lines.length > 0) {
			const line = (lines.shift() as string).trim();
			command += ` ${line.replace(/\\$/, "")}`;
			if (!line.endsWith("\\")) break;
		}
		const words = command.trim().split(/\s+/);
		expect(words.slice(0, 2)).toEqual(["npx", "cors-gateway"]);
		return { args: words.slice(2), output: lines.filter((l) => l.trim() !== "") };
	});

let file: string;
withTempDirs(async (make) => {
	file = await writeDocument(await make(), "allowlist.json", DOCUMENT);
});

describe("README: one gateway, many audiences", () => {
	it("the document is valid as written, with the routes the table names", async () => {
		const run = await cli(["validate", file]);
		expect(run.stderr).toBe("");
		expect(run.stdout).toContain("valid (1 origin, 4 routes)");
		expect(SHOWN.length).toBeGreaterThanOrEqual(6);
	});

	it.each(SHOWN.map((s) => [s.args.join(" "), s] as const))("%s", async (_name, { args, output }) => {
		const run = await cli(args.map((a) => (a === "allowlist.json" ? file : a)));
		const actual = run.stdout.split("\n");
		// Every line shown, in order; "…" skips any number of lines.
		let at = 0;
		for (const line of output) {
			if (line.trim() === "…") continue;
			const found = actual.indexOf(line, at);
			expect(found, `README line not printed (in order): ${line}\n--- printed:\n${run.stdout}`).toBeGreaterThanOrEqual(
				at,
			);
			at = found + 1;
		}
		expect(run.code).toBe(output[0]?.startsWith("approved") ? 0 : 1);
	});
});
