// The npm package as a user gets it: `npm pack` of the repository (prepack builds lib/),
// then a fresh app in a temporary directory with examples/hono-app's source and the
// tarball installed by npm. hono, wrangler and the Workers types, big and already here,
// are linked from the repository's node_modules instead of downloaded; the tarball's own
// dependency (tldts) comes from npm's cache when it has it.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { QUIET_ENV } from "../../tools/cli.ts";
import { ROOT } from "../../tools/wrangler.ts";

export const EXAMPLE = join(ROOT, "examples", "hono-app");
const LINKED = ["hono", "wrangler", "@cloudflare/workers-types"];

export interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs `file args` in `cwd` to completion, never rejecting: the caller asserts on the result. */
export async function run(file: string, args: string[], cwd: string): Promise<Run> {
	try {
		const { stdout, stderr } = await promisify(execFile)(file, args, {
			cwd,
			env: { ...process.env, ...QUIET_ENV },
			maxBuffer: 64 * 1024 * 1024,
		});
		return { code: 0, stdout, stderr };
	} catch (error) {
		const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
		return { code: typeof code === "number" ? code : 1, stdout, stderr };
	}
}

async function ok(file: string, args: string[], cwd: string): Promise<string> {
	const result = await run(file, args, cwd);
	if (result.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
	return result.stdout;
}

export interface PackedApp {
	dir: string;
	/** The app itself: examples/hono-app's source and the installed tarball. */
	app: string;
	/** The paths inside the tarball, as `npm pack` lists them. */
	files: string[];
	/** The tarball's size in bytes. */
	size: number;
	/** Runs the installed `cors-gateway` bin (its built JavaScript) in the app. */
	cli(args: string[]): Promise<Run>;
	/** Links hono, wrangler and the Workers types into the app, as `npm install hono wrangler` would install them. */
	linkPeers(): Promise<void>;
	close(): Promise<void>;
}

export async function packedApp(): Promise<PackedApp> {
	const dir = await mkdtemp(join(tmpdir(), "cors-gateway-package-"));
	const [packed] = JSON.parse(await ok("npm", ["pack", "--json", "--pack-destination", dir], ROOT)) as {
		filename: string;
		size: number;
		files: { path: string }[];
	}[];
	if (packed === undefined) throw new Error("npm pack listed no package");
	const app = join(dir, "app");
	await mkdir(app);
	for (const name of ["src", "wrangler.toml", "tsconfig.json", "allowlist.json"])
		await cp(join(EXAMPLE, name), join(app, name), { recursive: true });
	// Not the example's package.json: its dependency is the repository itself (file:../..).
	await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
	// Peers are linked below, not installed from the registry.
	await ok(
		"npm",
		["install", "--prefer-offline", "--legacy-peer-deps", "--no-audit", "--no-fund", join(dir, packed.filename)],
		app,
	);
	return {
		dir,
		app,
		files: packed.files.map((f) => f.path),
		size: packed.size,
		cli: (args) =>
			run(process.execPath, [join(app, "node_modules", "cors-gateway", "bin", "cors-gateway.mjs"), ...args], app),
		async linkPeers() {
			for (const name of LINKED) {
				await mkdir(join(app, "node_modules", name, ".."), { recursive: true });
				await symlink(join(ROOT, "node_modules", name), join(app, "node_modules", name), "dir");
			}
		},
		close: () => rm(dir, { recursive: true, force: true }),
	};
}
