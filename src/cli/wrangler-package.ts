// Where the project's own wrangler is. Looked up when first needed: wrangler is an
// optional peer of the package, and validate and check work without it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { WranglerError } from "./errors.ts";

/** A file of the installed wrangler package, e.g. `bin/wrangler.js`. */
export function wranglerFile(path: string): string {
	let manifest: string;
	try {
		manifest = createRequire(import.meta.url).resolve("wrangler/package.json");
	} catch {
		throw new WranglerError(
			'wrangler is not installed: cors-gateway reads and writes KV through it. Install it next to cors-gateway with "npm install --save-dev wrangler"',
			1,
		);
	}
	return join(dirname(manifest), path);
}
