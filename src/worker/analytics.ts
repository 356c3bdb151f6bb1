// The optional Workers Analytics Engine dataset bound as CORS_ANALYTICS (docs/SPEC.md
// "Observability"): one data point per refusal and per report-only difference, unbounded
// by the log's limits, so that dashboards count every one. Writing is the runtime's
// business after the call returns: nothing is awaited, and a failing binding never fails
// the request it describes.
import { errorMessage, type Logger } from "./log.ts";

/** One refusal (`refused`) or one difference in report-only mode (`report`). */
export interface CorsEvent {
	kind: "refused" | "report";
	/** The route key whose policy decided; null for the top level. */
	route: string | null;
	reason: string;
	/** Cut as in the logs. */
	origin: string | null;
	method: string;
}

export type Analytics = (event: CorsEvent) => void;

/**
 * The recorder for `dataset`, or undefined when none is bound. Blobs, in order: route (""
 * for the top level), reason, origin ("" for none), method, kind; the index, which
 * Analytics Engine samples by, is the reason (always far under its 96 bytes).
 */
export function analyticsOf(dataset: AnalyticsEngineDataset | undefined, log: Logger): Analytics | undefined {
	if (dataset === undefined) return undefined;
	// One line says the binding fails; a line per request would be a flood of the same news.
	let failed = false;
	return ({ kind, route, reason, origin, method }) => {
		try {
			dataset.writeDataPoint({ blobs: [route ?? "", reason, origin ?? "", method, kind], indexes: [reason] });
		} catch (error) {
			if (failed) return;
			failed = true;
			log({ event: "analytics-error", reason: errorMessage(error) });
		}
	};
}
