// Where the command line writes: results on stdout (so they can be piped), problems,
// warnings and refusals on stderr.
import { formatProblem, type Problem } from "../policy/index.ts";

export function say(text = ""): void {
	process.stdout.write(`${text}\n`);
}

export function note(text: string): void {
	process.stderr.write(`${text}\n`);
}

export function printProblems(problems: readonly Problem[], warnings: readonly Problem[]): void {
	for (const p of problems) note(`error: ${formatProblem(p)}`);
	for (const w of warnings) note(`warning: ${formatProblem(w)}`);
}

/** The text the command line stores: the normalized document, stable and diff-friendly. */
export function serialize(document: object): string {
	return `${JSON.stringify(document, null, 2)}\n`;
}

export function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? "" : "s"}`;
}
