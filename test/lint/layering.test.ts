// The layering rules of biome.json, proven on planted files: each row writes a small tree
// into a temporary copy of the project's lint configuration and runs Biome on it. A rule
// that stopped firing (a renamed folder, a pattern that no longer matches) fails its row.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const biome = join(root, "node_modules/.bin/biome");

interface Row {
	rule: string;
	files: Record<string, string>;
	/** A phrase of the diagnostic; null: the tree must pass. */
	fails: string | null;
}

const ROWS: Row[] = [
	{
		rule: "the core imports nothing outside src/policy",
		files: { "src/policy/a.ts": 'import { jsonLog } from "../worker/log.ts";\nexport const a = jsonLog;\n' },
		fails: "src/policy is the pure core",
	},
	{
		rule: "the core uses no Node API",
		files: { "src/policy/a.ts": 'import { readFileSync } from "node:fs";\nexport const a = readFileSync;\n' },
		fails: "no Node, Hono or Workers API",
	},
	{
		rule: "the core uses no package (Hono)",
		files: { "src/policy/a.ts": 'import { Hono } from "hono";\nexport const a = Hono;\n' },
		fails: "no Node, Hono or Workers API",
	},
	{
		rule: "an import cycle fails, type-only imports included",
		files: {
			"src/policy/a.ts": 'import type { B } from "./b.ts";\nexport type A = B | 1;\n',
			"src/policy/b.ts": 'import type { A } from "./a.ts";\nexport type B = A | 2;\n',
		},
		fails: "part of a cycle",
	},
	{
		rule: "src/shards builds on the core, never on the Worker",
		files: { "src/shards/a.ts": 'import { jsonLog } from "../worker/log.ts";\nexport const a = jsonLog;\n' },
		fails: "src/shards builds on the core only",
	},
	{
		rule: "outside the core, only src/policy/index.ts is imported",
		files: { "src/shards/a.ts": 'import { x } from "../policy/origin.ts";\nexport const a = x;\n' },
		fails: "the core's API is src/policy/index.ts",
	},
	{
		rule: "the Worker never imports the command line",
		files: { "src/worker/a.ts": 'import { main } from "../cli/main.ts";\nexport const a = main;\n' },
		fails: "the Worker never imports the command line",
	},
	{
		rule: "the Worker never bundles the Public Suffix List",
		files: { "src/worker/store/a.ts": 'import { parse } from "tldts";\nexport const a = parse;\n' },
		fails: "the Public Suffix List is the command line's",
	},
	{
		rule: "the kvCors middleware never imports the command line",
		files: { "src/hono/a.ts": 'import { main } from "../cli/main.ts";\nexport const a = main;\n' },
		fails: "the kvCors middleware is the Worker's CORS layer in an app's bundle",
	},
	{
		rule: "the kvCors middleware never bundles the Public Suffix List",
		files: { "src/hono/a.ts": 'import { parse } from "tldts";\nexport const a = parse;\n' },
		fails: "the Public Suffix List is the command line's",
	},
	{
		rule: "control: the kvCors middleware may import the Worker's CORS layer and Hono",
		files: {
			"src/hono/a.ts":
				'import type { MiddlewareHandler } from "hono";\nimport { withCors } from "../worker/cors/cors-layer.ts";\nexport const a: [MiddlewareHandler?, unknown?] = [undefined, withCors];\n',
		},
		fails: null,
	},
	{
		rule: "inside the Worker, the store never imports the CORS layer",
		files: {
			"src/worker/store/a.ts": 'import { withCors } from "../cors/cors-layer.ts";\nexport const a = withCors;\n',
		},
		fails: "imports in the Worker run one way",
	},
	{
		rule: "inside the Worker, the log module never imports the gateway",
		files: { "src/worker/log.ts": 'import { g } from "./gateway.ts";\nexport const a = g;\n' },
		fails: "imports in the Worker run one way",
	},
	{
		rule: "inside the Worker, a route's targets (configuration) never import the forwarder",
		files: { "src/worker/targets.ts": 'import { forward } from "./forward/upstream.ts";\nexport const a = forward;\n' },
		fails: "imports in the Worker run one way",
	},
	{
		rule: "control: the Worker may import the core's API and its own config",
		files: {
			"src/worker/gateway.ts":
				'import { compileAllowlist } from "../policy/index.ts";\nimport { c } from "./config.ts";\nexport const a = [compileAllowlist, c];\n',
		},
		fails: null,
	},
];

let scratch: string;

beforeAll(async () => {
	scratch = await mkdtemp(join(tmpdir(), "cors-gateway-layering-"));
});

afterAll(async () => {
	await rm(scratch, { recursive: true, force: true });
});

/** Biome's verdict on `files`, linted with the project's biome.json; "" when it passes. */
async function lint(name: string, files: Record<string, string>): Promise<string> {
	const dir = join(scratch, name);
	await mkdir(dir, { recursive: true });
	await cp(join(root, "biome.json"), join(dir, "biome.json"));
	for (const [path, text] of Object.entries(files)) {
		await mkdir(dirname(join(dir, path)), { recursive: true });
		await writeFile(join(dir, path), text);
	}
	try {
		// Outside a git checkout: the project's VCS settings would make Biome look for one.
		await promisify(execFile)(biome, ["lint", "--vcs-enabled=false", "--max-diagnostics=50", "src"], { cwd: dir });
		return "";
	} catch (error) {
		const { stdout, stderr } = error as { stdout: string; stderr: string };
		return `${stdout}${stderr}` || String(error);
	}
}

describe("biome.json enforces the layers (README, Layout)", () => {
	it.each(ROWS.map((row, i) => ({ ...row, i })))("$rule", async ({ files, fails, i }) => {
		// Every module the planted files import exists, so only the rule can fail them.
		const stubs: Record<string, string> = {
			"src/worker/log.ts": "export const jsonLog = 1;\n",
			"src/worker/config.ts": "export const c = 1;\n",
			"src/worker/gateway.ts": "export const g = 1;\n",
			"src/worker/cors/cors-layer.ts": "export const withCors = 1;\n",
			"src/policy/index.ts": "export const compileAllowlist = 1;\n",
			"src/policy/origin.ts": "export const x = 1;\n",
			"src/cli/main.ts": "export const main = 1;\n",
		};
		const output = await lint(`row-${i}`, { ...stubs, ...files });
		if (fails === null) expect(output).toBe("");
		else expect(output).toContain(fails);
	});
});
