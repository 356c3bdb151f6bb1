// `npm run test:mutation`: StrykerJS mutates the pure Node code and runs the vitest `core`
// project against each mutant. How to run it, the scores and the surviving mutants:
// docs/TESTING.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
	testRunner: "vitest",
	vitest: { configFile: "vitest.mutation.config.ts", related: true },
	// What the `core` project's tests cover: the policy core, the shard layout, the shard
	// cache, the refusal log.
	mutate: ["src/policy/**/*.ts", "src/shards/**/*.ts", "src/worker/store/shard-cache.ts", "src/worker/log.ts"],
	coverageAnalysis: "perTest",
	// Two cores, shared: one sandbox per core at most.
	concurrency: 2,
	timeoutMS: 10_000,
	// Results are kept in reports/stryker-incremental.json (gitignored): the next run tests
	// again only the mutants whose code or covering tests changed. `-- --force` runs all.
	incremental: true,
	incrementalFile: "reports/stryker-incremental.json",
	reporters: ["clear-text", "progress", "html", "json"],
	htmlReporter: { fileName: "reports/mutation/mutation.html" },
	jsonReporter: { fileName: "reports/mutation/mutation.json" },
	clearTextReporter: { allowColor: false, logTests: false },
	// Stryker rewrites the tsconfig's `extends` and `references` paths for its sandbox through
	// TypeScript's JavaScript API, which TypeScript 7 no longer has; this project's tsconfig
	// has neither, so naming a file that does not exist skips that step.
	tsconfigFile: "no-tsconfig-rewrite.json",
	// Not needed by the `core` project: kept out of the sandbox copies.
	ignorePatterns: ["/.wrangler", "/dist", "/coverage", "/.tmp", "/bench", "/public", "/test/cli", "/test/e2e"],
	cleanTempDir: "always",
};
