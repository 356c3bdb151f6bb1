// Vitest globalSetup of the e2e suite: starts, in this order, the upstream, the page
// server, the gateway under `wrangler dev` (its KV seeded with the BASE allowlist) and
// Chromium, and stops all of them at the end, also when a test or this setup fails.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { TestProject } from "vitest/node";
import { startScriptedUpstream } from "../../../tools/upstream.ts";
import { startWranglerDev } from "../../../tools/wrangler.ts";
import { waitUntilServed, writeAllowlist } from "./allowlist-kv.ts";
import { BASE } from "./allowlists.ts";
import { startPageServer } from "./page-server.ts";
import { PORTS } from "./ports.ts";

const CHROMIUM = "/usr/bin/chromium";
const REFRESH_SECONDS = 1;
const GATEWAY_START_TIMEOUT_MS = 90_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const cleanups: (() => Promise<unknown>)[] = [];
	const teardown = async (): Promise<void> => {
		const errors: unknown[] = [];
		for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
		if (errors.length > 0) throw new AggregateError(errors, "e2e teardown failed");
	};
	try {
		const dir = await mkdtemp(join(tmpdir(), "cors-gateway-e2e-"));
		cleanups.push(() => rm(dir, { recursive: true, force: true }));
		const persistDir = join(dir, "state");
		const gatewayLog = join(dir, "wrangler-dev.log");

		const upstream = await startScriptedUpstream(PORTS.upstream);
		cleanups.push(() => upstream.close());
		const pages = await startPageServer([PORTS.page, PORTS.pageAlt]);
		cleanups.push(() => pages.close());

		const seeded = await writeAllowlist(persistDir, BASE);
		const gateway = startWranglerDev({
			port: PORTS.gateway,
			inspectorPort: PORTS.inspector,
			persistDir,
			output: { file: gatewayLog },
			vars: {
				UPSTREAM_URL: upstream.url,
				// The one path that reaches nothing, for a 502.
				ROUTES: JSON.stringify({ "/down": `http://127.0.0.1:${PORTS.unreachable}` }),
				ALLOWLIST_REFRESH_SECONDS: String(REFRESH_SECONDS),
				// Cases check the log line of each refusal they cause, however many share an origin.
				REFUSAL_LOG_LIMIT: "1000000",
			},
		});
		cleanups.push(() => gateway.stop());
		let exitedWith: string | null = null;
		void gateway.exited.then((reason) => {
			exitedWith = reason;
		});
		try {
			await waitUntilServed(seeded.marker, GATEWAY_START_TIMEOUT_MS, () => exitedWith);
		} catch (error) {
			const log = await readFile(gatewayLog, "utf8").catch(() => "");
			throw new Error(`${(error as Error).message}\n--- wrangler dev output ---\n${log.slice(-4000)}`);
		}

		// No fallback and no skipping: without a browser the suite proves nothing.
		const browser = await chromium
			.launchServer({
				executablePath: CHROMIUM,
				headless: true,
				args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
			})
			.catch((error: unknown) => {
				throw new Error(
					`Chromium could not start from ${CHROMIUM} (install it with \`apt-get install chromium\`): ${error instanceof Error ? error.message : error}`,
				);
			});
		cleanups.push(() => browser.close());

		project.provide("e2e", {
			browserWsEndpoint: browser.wsEndpoint(),
			persistDir,
			gatewayLog,
			upstreamUrl: upstream.url,
			refreshSeconds: REFRESH_SECONDS,
		});
		return teardown;
	} catch (error) {
		await teardown().catch(() => undefined);
		throw error;
	}
}
