import { defineConfig } from "vitest/config";
import { coreProject } from "./vitest.config.ts";

// What `npm run test:mutation` (stryker.config.json) runs against each mutant: the Node `core`
// project only. The `cli` project starts wrangler child processes (minutes per mutant), and the
// `worker` project runs inside workerd, where Stryker's vitest runner cannot follow a mutant
// (docs/TESTING.md).
export default defineConfig({
	test: {
		projects: [
			{
				...coreProject,
				test: {
					...coreProject.test,
					// Each mutant runs every test that covers it, through instrumented code: the
					// property tests draw 100 fixed-seed inputs each instead of 2,000 random ones,
					// and the million-origin tests get more time than in `npm test`.
					env: { FAST_CHECK_RUNS: "100" },
					setupFiles: ["test/support/mutation-setup.ts"],
					testTimeout: 120_000,
					// The lint rules' tests run Biome on planted files: no source code to mutate.
					exclude: ["test/lint/**"],
				},
			},
		],
	},
});
