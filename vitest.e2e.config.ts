// `npm run test:e2e`: the end-to-end suite in Chromium (test/e2e), apart from `npm test`.
// One gateway, one KV allowlist and one browser are shared, so files run one at a time.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		name: "e2e",
		environment: "node",
		include: ["test/e2e/**/*.test.ts"],
		globalSetup: ["test/e2e/support/global-setup.ts"],
		fileParallelism: false,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		teardownTimeout: 30_000,
		silent: "passed-only",
	},
});
