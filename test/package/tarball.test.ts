// The npm package as a user installs it (test/support/packed-app.ts): the packed
// tarball's contents, its bin (built JavaScript) with and without wrangler, its type
// declarations, and examples/hono-app bundled by wrangler against it and run in workerd
// (Miniflare) over the local KV namespace the installed bin wrote.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../tools/wrangler.ts";
import { type PackedApp, packedApp, type Run, run } from "../support/packed-app.ts";

const ALLOWED = "https://app.example.com";
const REFUSED = "https://evil.example.net";

// Type mistakes a user can make: each must fail to compile, so the declarations are real.
const MISUSE = `import { kvCors } from "cors-gateway/hono";
import { compileAllowlist } from "cors-gateway";
// @ts-expect-error binding is a name
kvCors({ binding: 1 });
// @ts-expect-error no such option
kvCors({ origin: "*" });
// @ts-expect-error a document's text
compileAllowlist(42);
`;

let packed: PackedApp;
/** The installed bin before wrangler is linked: validate, then a KV command. */
let withoutWrangler: { validate: Run; list: Run };
let push: Run;
let typecheck: Run;
let bundle: string;
let mf: Miniflare;

beforeAll(async () => {
	packed = await packedApp();
	const { app } = packed;
	withoutWrangler = { validate: await packed.cli(["validate", "allowlist.json"]), list: await packed.cli(["list"]) };
	await packed.linkPeers();
	const kv = join(packed.dir, "kv");
	push = await packed.cli(["push", "allowlist.json", "--local", "--yes", "--persist-to", kv]);
	await writeFile(join(app, "src", "misuse.ts"), MISUSE);
	typecheck = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
	const out = join(packed.dir, "bundle");
	const wrangler = join(app, "node_modules/wrangler/bin/wrangler.js");
	const built = await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out], app);
	if (built.code !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${built.stderr}`);
	bundle = await readFile(join(out, "index.js"), "utf8");
	// The example's wrangler.toml names ALLOWLIST without an id: wrangler's local KV keys it by
	// the binding's name, under <persist-to>/v3.
	mf = new Miniflare(
		convertV4MiniflareOptions({
			resourcePersistencePath: join(kv, "v3"),
			workers: [
				{
					name: "app",
					modules: [{ type: "ESModule", path: "index.js", contents: bundle }],
					compatibilityDate: "2026-11-09",
					kvNamespaces: { ALLOWLIST: "ALLOWLIST" },
				},
			],
		}),
	);
	await mf.ready;
}, 300_000);

afterAll(async () => {
	await mf?.dispose();
	await packed?.close();
});

describe("the tarball", () => {
	it("carries the build with its declarations, the bin, the schema and the docs", () => {
		expect(packed.files).toEqual(
			expect.arrayContaining([
				"package.json",
				"README.md",
				"SECURITY.md",
				"LICENSE",
				"docs/SPEC.md",
				"allowlist.schema.json",
				"bin/cors-gateway.mjs",
				"lib/hono/kv-cors.js",
				"lib/hono/kv-cors.d.ts",
				"lib/policy/index.js",
				"lib/policy/index.d.ts",
				"lib/cli/main.js",
			]),
		);
	});

	it("carries no source, tests, bench, scripts, tools or examples, and no declarations of the CLI", () => {
		const stray = packed.files.filter(
			(path) =>
				/^(src|test|bench|scripts|tools|examples|public|\.ci)\//.test(path) ||
				(path.endsWith(".ts") && !path.endsWith(".d.ts")) ||
				/^lib\/cli\/.*\.d\.ts$/.test(path),
		);
		expect(stray).toEqual([]);
		expect(packed.size).toBeLessThan(250_000);
	});
});

describe("the installed bin runs its built JavaScript", () => {
	it("validate needs no wrangler", () => {
		expect(withoutWrangler.validate).toMatchObject({ code: 0, stdout: "allowlist.json: valid (2 origins, 1 route)\n" });
	});

	it("a KV command without wrangler says what to install", () => {
		expect(withoutWrangler.list.code).toBe(1);
		expect(withoutWrangler.list.stderr).toBe(
			'cors-gateway: wrangler is not installed: cors-gateway reads and writes KV through it. Install it next to cors-gateway with "npm install --save-dev wrangler"\n',
		);
	});

	it("push writes the app's local KV through the app's wrangler", () => {
		expect(push.code, push.stderr).toBe(0);
		expect(push.stdout).toContain("+ route /public");
	});
});

describe("the example app against the package", () => {
	it("typechecks against the declarations, which refuse a misuse", () => {
		expect(typecheck.stdout + typecheck.stderr).toBe("");
		expect(typecheck.code).toBe(0);
	});

	it("the wrangler bundle holds the middleware and the core, never the CLI or the Public Suffix List", () => {
		const modules = [...bundle.matchAll(/^\/\/ (\S+\.js)$/gm)].map((m) => m[1] as string);
		expect(modules).toContain("node_modules/cors-gateway/lib/hono/kv-cors.js");
		expect(modules.filter((path) => path.includes("tldts") || path.includes("/lib/cli/"))).toEqual([]);
		expect(bundle).not.toContain("tldts");
		expect(bundle.length).toBeLessThan(300_000);
	});

	async function send(path: string, method: string, headers: Record<string, string>, body?: string) {
		const res = await mf.dispatchFetch(`https://app.test${path}`, { method, headers, body });
		return { status: res.status, headers: res.headers, body: await res.text() };
	}

	it.each([
		{ rule: "an allowed origin", path: "/api/hello", origin: ALLOWED, status: 200, acao: ALLOWED },
		{ rule: "a refused origin", path: "/api/hello", origin: REFUSED, status: 403, acao: null },
		{ rule: "the /public route's own policy", path: "/public/status", origin: REFUSED, status: 200, acao: "*" },
	])("$rule: $status", async ({ path, origin, status, acao }) => {
		const res = await send(path, "GET", { origin });
		expect(res.status).toBe(status);
		expect(res.headers.get("access-control-allow-origin")).toBe(acao);
		if (status === 200) expect(res.body).not.toMatch(/refused/);
	});

	it("no Origin: the app answers, no CORS headers, Vary: Origin", async () => {
		const res = await send("/api/hello", "GET", {});
		expect(res).toMatchObject({ status: 200, body: '{"hello":"world"}' });
		expect(res.headers.get("access-control-allow-origin")).toBeNull();
		expect(res.headers.get("vary")).toBe("Origin");
	});

	it.each([
		{ origin: ALLOWED, method: "POST", status: 204, acam: "GET, HEAD, POST" },
		{ origin: ALLOWED, method: "DELETE", status: 403, acam: null },
		{ origin: REFUSED, method: "POST", status: 403, acam: null },
	])("a preflight from $origin for $method: $status", async ({ origin, method, status, acam }) => {
		const res = await send("/api/echo", "OPTIONS", {
			origin,
			"access-control-request-method": method,
			"access-control-request-headers": "content-type",
		});
		expect(res.status).toBe(status);
		expect(res.headers.get("access-control-allow-methods")).toBe(acam);
	});

	it("an allowed POST reaches the app's handler", async () => {
		const res = await send("/api/echo", "POST", { origin: ALLOWED, "content-type": "text/plain" }, "hi");
		expect(res).toMatchObject({ status: 200, body: '{"echoed":"hi"}' });
		expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
	});
});
