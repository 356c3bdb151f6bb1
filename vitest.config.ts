import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// Plain Node: the CORS policy core, the shard layout, the shard cache, the refusal log, and
// the lint rules that keep the layers apart. Also the one project the mutation tests run
// (vitest.mutation.config.ts).
export const coreProject: TestProjectInlineConfiguration = {
	test: {
		name: "core",
		environment: "node",
		include: [
			"test/policy/**/*.test.ts",
			"test/shards/**/*.test.ts",
			"test/store/**/*.test.ts",
			"test/log/**/*.test.ts",
			"test/lint/**/*.test.ts",
		],
	},
};

export default defineConfig({
	test: {
		// Console output (the gateway's JSON log lines) is shown for failing tests only.
		silent: "passed-only",
		projects: [
			coreProject,
			{
				// The cors-gateway command line, run as a child process against real local KV
				// directories; each wrangler run takes a few seconds. Its files mostly wait on
				// those child processes, so three run at once, after the other projects (a
				// group of their own): the Worker's real-time tests never share the cores
				// with them. vitest's default is one worker fewer than the cores: one, here.
				test: {
					name: "cli",
					environment: "node",
					include: ["test/cli/**/*.test.ts"],
					testTimeout: 180_000,
					// Set-up hooks seed KV through wrangler too: as slow as a test on a busy machine.
					hookTimeout: 120_000,
					maxWorkers: 3,
					sequence: { groupOrder: 1 },
				},
			},
			{
				// The npm package as a user installs it: one `npm pack`, one install into a fresh
				// app, one wrangler bundle of examples/hono-app run in workerd. Mostly running
				// npm, tsc and wrangler, which keep the cores busy: a group of its own, last, so
				// that it never slows the cli files' wrangler runs (their hooks wait 10 s).
				test: {
					name: "package",
					environment: "node",
					include: ["test/package/**/*.test.ts"],
					testTimeout: 60_000,
					sequence: { groupOrder: 2 },
				},
			},
			{
				// The Worker behind a real TCP listener (workerd's HTTP server through Miniflare's
				// API, from Node): what only real keep-alive connections show.
				test: {
					name: "socket",
					environment: "node",
					include: ["test/socket/**/*.test.ts"],
					testTimeout: 120_000,
				},
			},
			{
				// The Worker inside workerd (miniflare), configured from wrangler.demo.toml
				// (wrangler.toml with [assets], for the tests of "assets" routes), with a real
				// local KV namespace (ALLOWLIST, fresh per test file) and a real upstream.
				plugins: [
					cloudflareTest(({ inject }) => ({
						wrangler: { configPath: "./wrangler.demo.toml" },
						// Everything local: never start a remote-bindings proxy session.
						remoteBindings: false,
						// workerd's own --verbose logs only repeat the expected failures of the
						// 502/504 tests ("uncaught exception ... Connection refused"); set true
						// to debug the runtime. Worker console output is shown either way.
						verbose: false,
						miniflare: {
							// Overrides the [vars] UPSTREAM_URL placeholder with the test upstream, and
							// keeps the upstream timeout short for requests through the Worker's entry.
							bindings: {
								UPSTREAM_URL: inject("upstreamUrl"),
								ALLOWLIST_REFRESH_SECONDS: "1",
								UPSTREAM_TIMEOUT_MS: "2000",
							},
							// Miniflare's local Analytics Engine dataset: it takes data points and keeps
							// none, so test/worker/report-only.test.ts wraps it to record the calls.
							analyticsEngineDatasets: { CORS_ANALYTICS: { dataset: "cors_gateway_test" } },
							// Real Workers for "service:NAME" routes (test/worker/service-target.test.ts):
							// ECHO_SERVICE is the one routes name; DECOY_SERVICE, the same script, is
							// bound but named by no route, so a call to it is one the request chose.
							serviceBindings: { ECHO_SERVICE: "echo-service", DECOY_SERVICE: "decoy-service" },
							workers: ["echo-service", "decoy-service"].map((name) => ({
								name,
								modules: true,
								scriptPath: "./test/support/service-worker.js",
								// wrangler.toml's: without a date Miniflare runs an auxiliary Worker as of 2000-01-01.
								compatibilityDate: "2026-11-09",
								bindings: { NAME: name },
							})),
						},
					})),
				],
				test: {
					name: "worker",
					include: ["test/worker/**/*.test.ts"],
					globalSetup: ["test/support/global-setup.ts"],
				},
			},
		],
	},
});
