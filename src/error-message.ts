// What a caught value says, for logs and messages: anything can be thrown in JavaScript.
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
