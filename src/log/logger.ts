// The gateway's log: one JSON object per line, as `wrangler tail` and Workers Logs show it.

export type Logger = (event: Record<string, unknown>) => void;

export const jsonLog: Logger = (event) => console.log(JSON.stringify(event));
