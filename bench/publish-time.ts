// Times the command line publishing a large allowlist into a fresh local KV directory,
// as a user would: `cors-gateway push FILE --yes --persist-to DIR` (validation, planning,
// wrangler's bulk upload of the shards and filter, the switch).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../tools/cli.ts";
import { benchOrigins, SETTINGS } from "./allowlists.ts";

export interface PublishTime {
	entries: number;
	ms: number;
	/** The command's own summary line of what it published. */
	summary: string;
}

export async function publishTime(entries: number): Promise<PublishTime> {
	const dir = await mkdtemp(join(tmpdir(), "cors-gateway-bench-"));
	try {
		const file = join(dir, "allowlist.json");
		await writeFile(file, JSON.stringify({ origins: benchOrigins(entries), ...SETTINGS }));
		const start = performance.now();
		const { code, stderr } = await cli(["push", file, "--yes", "--persist-to", join(dir, "kv")]);
		const ms = performance.now() - start;
		const summary = /publishing [\d,]+ entries as .*/.exec(stderr)?.[0];
		if (code !== 0 || summary === undefined)
			throw new Error(`cors-gateway push failed (exit ${code}):\n${stderr.slice(-2000)}`);
		return { entries, ms, summary };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
