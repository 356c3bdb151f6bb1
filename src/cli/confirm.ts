// The y/N question before a write. Asked only on a terminal: a script, a CI job or a pipe
// gets a refusal (exit 2) and the hint to pass --yes, never a prompt that waits forever.
import { createInterface } from "node:readline/promises";

export function canPrompt(): boolean {
	return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** True only for an explicit "y" or "yes"; Enter, anything else, Ctrl+C or Ctrl+D mean no. */
export async function confirm(question: string): Promise<boolean> {
	const rl = createInterface({ input: process.stdin, output: process.stdout });
	const cancel = new AbortController();
	rl.on("SIGINT", () => cancel.abort());
	rl.on("close", () => cancel.abort());
	try {
		const answer = await rl.question(question, { signal: cancel.signal });
		return /^y(es)?$/i.test(answer.trim());
	} catch {
		process.stdout.write("\n");
		return false;
	} finally {
		rl.close();
	}
}
