#!/usr/bin/env node
// The `cors-gateway` command. In the repository it runs the TypeScript source (src/cli/),
// which Node.js runs directly from 22.18 on (npm scripts and npx put the project's Node.js
// 24 first on PATH); the npm package carries no src/, only its build (lib/, from
// `npm run build:package`), since Node.js strips no types under node_modules.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const fromSource = existsSync(source);
if (fromSource) {
	const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
	if (major < 22 || (major === 22 && minor < 18)) {
		console.error(
			`cors-gateway: Node.js ${process.versions.node} is too old (needs 22.18 or later); run it as "npx cors-gateway" in the project, which uses the Node.js 24 in node_modules.`,
		);
		process.exit(2);
	}
}
const { run } = await import(fromSource ? source.href : new URL("../lib/cli/main.js", import.meta.url).href);
await run(process.argv.slice(2));
