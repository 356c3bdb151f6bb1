// The confirmation prompt, in a real pseudo-terminal (util-linux `script`), and the
// refusal to overwrite a document someone else changed while the prompt was waiting:
// two real command processes against one real local KV directory.
import { describe, expect, it } from "vitest";
import { cli, cliInTerminal, seed, withTempDirs } from "../support/cli.ts";

const PROMPT = "? [y/N] ";
let kv: string;

async function origins(): Promise<string> {
	return (await cli(["list", "--persist-to", kv])).stdout;
}

withTempDirs(async (make) => {
	kv = await make();
	await seed(kv, JSON.stringify({ origins: ["https://app.example.com"] }));
});

describe("confirmation on a terminal", () => {
	it("shows the diff, asks, and writes on y", async () => {
		const term = cliInTerminal(["add", "https://yes.example.com", "--persist-to", kv]);
		await term.waitFor(PROMPT);
		expect(term.output()).toContain("  + origin https://yes.example.com");
		expect(term.output()).toContain(`Write this to local KV (${kv})? [y/N] `);
		term.type("y\n");
		expect(await term.done).toBe(0);
		expect(term.output()).toContain(`Written to local KV (${kv}).`);
		expect(await origins()).toBe("https://app.example.com\nhttps://yes.example.com\n");
	});

	it.each([
		["n", "n\n"],
		["Enter (the default is no)", "\n"],
	])("%s: nothing written (exit 1)", async (_what, answer) => {
		const term = cliInTerminal(["remove", "https://app.example.com", "--persist-to", kv]);
		await term.waitFor(PROMPT);
		term.type(answer);
		expect(await term.done).toBe(1);
		expect(term.output()).toContain("cors-gateway: not confirmed; nothing written");
		expect(await origins()).toBe("https://app.example.com\nhttps://yes.example.com\n");
	});

	it("Ctrl+C at the prompt: nothing written (exit 1)", async () => {
		const term = cliInTerminal(["remove", "https://app.example.com", "--persist-to", kv]);
		await term.waitFor(PROMPT);
		term.type("\u0003");
		expect(await term.done).toBe(1);
		expect(term.output()).toContain("cors-gateway: not confirmed; nothing written");
		expect(await origins()).toBe("https://app.example.com\nhttps://yes.example.com\n");
	});
});

describe("a concurrent edit is refused, not overwritten", () => {
	it("another write while the prompt waits: the confirmed write is refused and theirs kept", async () => {
		// Alice reads the document and reviews her change at the prompt…
		const alice = cliInTerminal(["add", "https://alice.example.com", "--persist-to", kv]);
		await alice.waitFor(PROMPT);
		// …meanwhile Bob's script allows another origin.
		const bob = await cli(["add", "https://bob.example.com", "--yes", "--persist-to", kv]);
		expect(bob.code).toBe(0);
		// Alice confirms: her diff was computed from a document that no longer exists.
		alice.type("y\n");
		expect(await alice.done).toBe(1);
		expect(alice.output()).toContain(
			`cors-gateway: the allowlist in local KV (${kv}) changed after it was read (someone else edited it); nothing written. Run the command again to apply your change on top of theirs.`,
		);
		// Bob's change stands; Alice's write did not silently undo it.
		const now = await origins();
		expect(now).toContain("https://bob.example.com\n");
		expect(now).not.toContain("alice");
		// Nor does history record a change that did not happen; Bob's is there.
		const history = (await cli(["history", "--persist-to", kv])).stdout;
		expect(history).toContain("add https://bob.example.com: +1 origin");
		expect(history).not.toContain("alice");
	});
});
