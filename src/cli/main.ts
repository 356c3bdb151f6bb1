// `cors-gateway`: validate, explain and change the KV allowlist. Dispatches to one
// subcommand and turns every failure into a message and an exit code, never a stack trace.

import { errorMessage } from "../worker/log.ts";
import { parseCommand } from "./args.ts";
import { add } from "./commands/add.ts";
import { check } from "./commands/check.ts";
import type { Command } from "./commands/command.ts";
import { diff } from "./commands/diff.ts";
import { history } from "./commands/history.ts";
import { list } from "./commands/list.ts";
import { prune } from "./commands/prune.ts";
import { pull } from "./commands/pull.ts";
import { push } from "./commands/push.ts";
import { remove } from "./commands/remove.ts";
import { report } from "./commands/report.ts";
import { rollback } from "./commands/rollback.ts";
import { validate } from "./commands/validate.ts";
import { isCliError, UsageError } from "./errors.ts";
import { closeLocalKv } from "./local-kv.ts";
import { note, say } from "./output.ts";

const COMMANDS: readonly Command[] = [
	validate,
	check,
	list,
	pull,
	diff,
	push,
	add,
	remove,
	history,
	rollback,
	prune,
	report,
];

function generalHelp(): string {
	const width = Math.max(...COMMANDS.map((c) => c.name.length));
	return `Usage: cors-gateway <command> [options]

Validate, explain and change the allowlist the gateway reads from Workers KV
(binding ALLOWLIST, key "allowlist"). Every write is validated, shown as a diff,
confirmed, and refused if someone else changed the document meanwhile; the document
it replaces is kept in history, and "cors-gateway rollback" restores it.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Run "cors-gateway <command> --help" for a command's options.
Exit codes: 0 done (check: approved), 1 refused or invalid, 2 usage mistake.`;
}

function commandHelp(command: Command): string {
	return `Usage: ${command.usage}\n\n${command.summary}\n\nOptions:\n${command.help}\n  -h, --help          show this help`;
}

export async function main(argv: string[]): Promise<number> {
	const [name, ...rest] = argv;
	if (name === undefined || name === "help" || name === "--help" || name === "-h") {
		const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
		say(topic ? commandHelp(topic) : generalHelp());
		return 0;
	}
	const command = COMMANDS.find((c) => c.name === name);
	if (command === undefined) {
		throw new UsageError(
			`unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.name).join(", ")} (run "cors-gateway --help")`,
		);
	}
	const parsed = parseCommand(command, rest);
	if (parsed.values.help) {
		say(commandHelp(command));
		return 0;
	}
	return command.run(parsed);
}

export async function run(argv: string[]): Promise<void> {
	// A reader that stops early (`| head`) closes the pipe: nothing more is wanted, so stop quietly.
	process.stdout.on("error", (error: NodeJS.ErrnoException) => {
		if (error.code !== "EPIPE") throw error;
		process.exit(process.exitCode ?? 0);
	});
	try {
		process.exitCode = await main(argv);
	} catch (error) {
		process.exitCode = reportFailure(error, "cors-gateway");
	} finally {
		await closeLocalKv();
	}
}

/** Prints a failure as `who: message`, never a stack trace unless asked for; returns its exit code. */
export function reportFailure(error: unknown, who: string): number {
	if (isCliError(error)) {
		note(`${who}: ${error.message}`);
		return error.exitCode;
	}
	// A bug, not a user mistake: one line, and the stack only when asked for.
	note(`${who}: internal error: ${errorMessage(error)}`);
	if (process.env.CORS_GATEWAY_DEBUG) note(error instanceof Error ? String(error.stack) : "");
	return 1;
}
