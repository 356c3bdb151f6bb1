import { KV_OPTIONS, kvTarget } from "../args.ts";
import { readAllowlist } from "../kv.ts";
import { compileChecked } from "../public-suffix.ts";
import { pruneVersions } from "../sharded-store.ts";
import { type Command, KV_HELP } from "./command.ts";

export const prune: Command = {
	name: "prune",
	usage: "cors-gateway prune [--force] [--local | --remote]",
	summary: "remove old shard versions of a large allowlist that no gateway can still read and no history entry names",
	help: `  --force             also remove versions whose replacement time is unknown (after the
                      allowlist became small enough to be stored whole): wait 5 minutes first;
                      a version a history entry names is kept even so (rollback restores it)
${KV_HELP}`,
	options: { ...KV_OPTIONS, force: { type: "boolean" } },
	positionals: { min: 0, max: 0, what: "" },
	async run({ values }) {
		const target = kvTarget(values, "prune");
		// Only the manifest matters here: the shards themselves are not read back.
		const text = await readAllowlist(target);
		const stored = text === null ? undefined : compileChecked(text);
		const manifest = stored?.ok ? stored.document.shards : undefined;
		const plan = await pruneVersions(
			target,
			manifest ? { current: manifest.version, switchedAt: Date.parse(manifest.published) } : {},
			{ force: values.force === true },
		);
		if (plan.deleted.length === 0 && plan.kept.length === 0) process.stdout.write("no old versions stored\n");
		return 0;
	},
};
