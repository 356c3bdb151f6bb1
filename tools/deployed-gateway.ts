// The gateway as `wrangler deploy` ships it: the bundle of `wrangler deploy --dry-run` and
// the Worker's configuration (bindings, vars, `[assets]` or none) read from the same
// configuration file by wrangler itself, turned into workerd options the way `wrangler dev`
// turns them (Miniflare's v4 conversion). Only the upstream URL and the KV namespace are
// the caller's own: the bench and the socket tests run it in workerd through Miniflare.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertV4MiniflareOptions, type LegacyWorkerOptions, Miniflare, type WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { ROOT, runWranglerOrFail } from "./wrangler.ts";

export interface DeployedGateway {
	/** The wrangler configuration file it was built from. */
	configFile: string;
	/** Whether its configuration declares `[assets]`, so requests pass wrangler's asset router first. */
	assets: boolean;
	/** The bundle's size in bytes. */
	bytes: number;
	/** workerd options for one instance of it: its name, direct socket, vars and KV namespace. */
	worker(name: string, port: number, vars: Record<string, string>, kvId: string): WorkerOptions;
}

/** Builds the gateway from `configFile` (relative to the project) as `wrangler deploy` would. */
export async function deployedGateway(host: string, configFile: string): Promise<DeployedGateway> {
	const config = join(ROOT, configFile);
	const outdir = await mkdtemp(join(tmpdir(), "cors-gateway-bench-build-"));
	let code: string;
	try {
		await runWranglerOrFail(["deploy", "--dry-run", "--outdir", outdir, "--config", config]);
		code = await readFile(join(outdir, "index.js"), "utf8");
	} finally {
		await rm(outdir, { recursive: true, force: true });
	}
	const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
	return {
		configFile,
		assets: workerOptions.assets !== undefined,
		bytes: Buffer.byteLength(code),
		worker(name, port, vars, kvId) {
			const legacy: LegacyWorkerOptions = {
				...(workerOptions as LegacyWorkerOptions),
				name,
				rootPath: ROOT,
				modules: [{ type: "ESModule", path: "index.js", contents: code }],
				bindings: { ...(workerOptions.bindings as Record<string, string>), ...vars },
				kvNamespaces: { ALLOWLIST: { id: kvId } },
				unsafeDirectSockets: [{ host, port, proxy: false }],
			};
			const [converted] = convertV4MiniflareOptions({ workers: [legacy] }).workers;
			if (converted === undefined) throw new Error(`no workerd options for ${name}`);
			return converted;
		},
	};
}

/**
 * Miniflare running `workers` (built by `worker` above) offline and quietly: no Request.cf
 * download, no entry in the dev registry other local sessions read, log lines dropped.
 */
export function deployedMiniflare(workers: WorkerOptions[]): Miniflare {
	return new Miniflare({
		host: "127.0.0.1",
		port: 0,
		cf: false,
		enableDevRegistry: false,
		handleStructuredLogs: () => {},
		workers,
	});
}
