// Setup of the mutation runs (vitest.mutation.config.ts): the property tests draw the same
// inputs on every run, so a mutant's status does not depend on luck and incremental runs
// can reuse it.
import fc from "fast-check";

fc.configureGlobal({ seed: 20_260_101 });
