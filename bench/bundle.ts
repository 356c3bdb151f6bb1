// Bundles the Workers the gateway is compared with by esbuild, the bundler wrangler itself
// uses, with the same module conditions, so each runs in workerd as `wrangler deploy`
// would ship it. The gateway itself is built by wrangler (tools/deployed-gateway.ts).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";

export type WorkerName = "bare" | "common" | "floor";

const root = resolve(import.meta.dirname, "..");

export const ENTRY_POINTS: Record<WorkerName, string> = {
	bare: "bench/workers/bare-forwarder.ts",
	common: "bench/workers/hono-common.ts",
	floor: "bench/workers/header-floor.ts",
};

export async function bundle(name: WorkerName): Promise<string> {
	const result = await build({
		absWorkingDir: root,
		entryPoints: [ENTRY_POINTS[name]],
		bundle: true,
		write: false,
		format: "esm",
		platform: "neutral",
		target: "es2024",
		conditions: ["workerd", "worker", "browser"],
		mainFields: ["browser", "module", "main"],
		logLevel: "error",
	});
	const [file] = result.outputFiles;
	if (file === undefined) throw new Error(`esbuild produced no output for ${ENTRY_POINTS[name]}`);
	return file.text;
}

/** The compatibility date of wrangler.toml, so the bench runs the runtime the project deploys on. */
export function compatibilityDate(): string {
	const toml = readFileSync(`${root}/wrangler.toml`, "utf8");
	const date = /^compatibility_date\s*=\s*"([0-9-]+)"/m.exec(toml)?.[1];
	if (date === undefined) throw new Error("wrangler.toml has no compatibility_date");
	return date;
}
