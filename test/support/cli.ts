// The command-line tests' helpers: the real `cors-gateway` command (tools/cli.ts) against a
// real local KV directory, optionally inside a real pseudo-terminal (util-linux `script`)
// to answer its confirmation prompt.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { BIN, NODE, QUIET_ENV, type Run } from "../../tools/cli.ts";
import { putAllowlistFile, ROOT } from "../../tools/wrangler.ts";

export { cli } from "../../tools/cli.ts";
export { ROOT } from "../../tools/wrangler.ts";

/** Stores `text` under `allowlist` in the local KV at `persistTo`, bypassing every check of the command line. */
export async function seed(persistTo: string, text: string): Promise<void> {
	const dir = await tempDir();
	const file = join(dir, "seed.json");
	await writeFile(file, text);
	try {
		await putAllowlistFile(file, persistTo);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** Bad input gets a message, never a stack trace: no "    at …" line in the command's output. */
export function expectNoStackTrace(run: Run): void {
	expect(run.stdout).not.toMatch(/^\s+at /m);
	expect(run.stderr).not.toMatch(/^\s+at /m);
}

export function tempDir(): Promise<string> {
	return mkdtemp(join(tmpdir(), "cors-gateway-test-"));
}

/**
 * Temporary directories for one test file: `setUp` runs before its tests and makes them
 * with `make`; every one is removed after the tests.
 */
export function withTempDirs(setUp: (make: () => Promise<string>) => Promise<unknown>): void {
	const made: string[] = [];
	beforeAll(() =>
		setUp(async () => {
			const dir = await tempDir();
			made.push(dir);
			return dir;
		}),
	);
	afterAll(async () => {
		for (const dir of made) await rm(dir, { recursive: true, force: true });
	});
}

/** One run inside a pseudo-terminal: stdin and stdout are a TTY, as for a person at a shell. */
export interface TerminalRun {
	/** Resolves once the output so far contains `text`. */
	waitFor(text: string): Promise<void>;
	type(text: string): void;
	output(): string;
	done: Promise<number>;
}

function shellQuote(arg: string): string {
	return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function cliInTerminal(args: string[]): TerminalRun {
	const command = [NODE, BIN, ...args].map(shellQuote).join(" ");
	// -e: exit with the command's code; -q: no "Script started" lines; no typescript file.
	const child = spawn("script", ["-qec", command, "/dev/null"], {
		cwd: ROOT,
		env: { ...process.env, ...QUIET_ENV, SHELL: "/bin/sh" },
	});
	let out = "";
	const waiters: { text: string; resolve: () => void }[] = [];
	child.stdout.on("data", (chunk) => {
		out += chunk;
		for (const w of waiters.filter((w) => out.includes(w.text))) {
			waiters.splice(waiters.indexOf(w), 1);
			w.resolve();
		}
	});
	child.stderr.on("data", (chunk) => {
		out += chunk;
	});
	const done = new Promise<number>((resolveDone, fail) => {
		child.on("error", fail);
		child.on("close", (code) => resolveDone(code ?? -1));
	});
	return {
		waitFor(text) {
			if (out.includes(text)) return Promise.resolve();
			return new Promise((resolveWait, fail) => {
				waiters.push({ text, resolve: resolveWait });
				done.then(() => fail(new Error(`exited before printing ${JSON.stringify(text)}; output:\n${out}`)));
			});
		},
		type(text) {
			child.stdin.write(text);
		},
		output: () => out,
		done,
	};
}

/** Writes a document (JSON-encoded unless it is text already) into `dir`; returns its path. */
export async function writeDocument(dir: string, name: string, doc: unknown): Promise<string> {
	const path = join(dir, name);
	await writeFile(path, typeof doc === "string" ? doc : JSON.stringify(doc));
	return path;
}
