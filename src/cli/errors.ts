// The command line's failures, each with the exit code scripts rely on: a usage mistake
// exits 2 with a one-line hint, a refusal or an invalid document 1, and a failed wrangler
// run with wrangler's own code and message. main.ts prints them; nothing else exits.

/** A mistake in the command line itself: exit 2, with a one-line hint. */
export class UsageError extends Error {
	readonly exitCode = 2;
}

/** The command ran and refused (invalid document, refused origin, concurrent edit…): exit 1. */
export class Refusal extends Error {
	readonly exitCode = 1;
}

/** wrangler failed: its message is passed through as it is. */
export class WranglerError extends Error {
	readonly exitCode: number;
	constructor(message: string, exitCode: number) {
		super(message);
		this.exitCode = exitCode === 0 ? 1 : exitCode;
	}
}

export type CliError = UsageError | Refusal | WranglerError;

export function isCliError(error: unknown): error is CliError {
	return error instanceof UsageError || error instanceof Refusal || error instanceof WranglerError;
}
