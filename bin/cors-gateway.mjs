#!/usr/bin/env node
// The `cors-gateway` command. Its code is TypeScript (src/cli/), which Node.js runs
// directly from 22.18 on; npm scripts and npx put the project's Node.js 24 first on PATH.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
	console.error(
		`cors-gateway: Node.js ${process.versions.node} is too old (needs 22.18 or later); run it as "npx cors-gateway" in the project, which uses the Node.js 24 in node_modules.`,
	);
	process.exit(2);
}
const { run } = await import("../src/cli/main.ts");
await run(process.argv.slice(2));
