/** A var of the Worker is missing or wrong; the message names it and the fix. */
export class ConfigError extends Error {}
