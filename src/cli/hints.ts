// Why an origin, method or header was refused, and what to change, in the words a web
// developer searches for: the near misses a reader of the allowlist would overlook.

import {
	type AllowlistDocument,
	canonicalOrigin,
	NORMALIZED_METHODS,
	parseOriginEntry,
	type RefusalReason,
	type RouteSettings,
	SAFELISTED_REQUEST_HEADERS,
} from "../policy/index.ts";

/** The policy that refused: a route's, or the top level's. */
export interface Refuser {
	/** Its effective settings; null when no valid allowlist is loaded. */
	document: AllowlistDocument | null;
	/** The route's normalized key; null for the top level. */
	route: string | null;
	/** The fields the route sets itself (none for the top level): the others are the top level's, and edited there. */
	own: RouteSettings;
}

export const EDIT = 'edit it with "cors-gateway pull > allowlist.json", then "cors-gateway push allowlist.json"';
const MAX_NEAR_MISSES = 5;
/** Why allowing the opaque origin deserves a second thought. */
export const NULL_ORIGIN_NOTE =
	'"null" is what sandboxed iframes, file:// pages and data: URLs send; any site can produce it, so list it only if you mean that';

interface Parts {
	scheme: string;
	host: string;
	port: string;
}

/** scheme, host and port of a canonical origin or a normalized entry (port "" = the default). */
function parts(origin: string): Parts {
	const sep = origin.indexOf("://");
	const rest = origin.slice(sep + 3);
	const colon = rest.lastIndexOf(":");
	const hasPort = colon >= 0 && !rest.endsWith("]");
	return {
		scheme: origin.slice(0, sep),
		host: hasPort ? rest.slice(0, colon) : rest,
		port: hasPort ? rest.slice(colon + 1) : "",
	};
}

function portName(port: string): string {
	return port === "" ? "the default port" : `port ${port}`;
}

/** Entries that almost admit `key`: another scheme or port, a wildcard's apex, www or not, a glob's label. */
function nearMisses(key: string, origins: readonly string[]): string[] {
	if (key === "null") return [];
	const o = parts(key);
	const hints: string[] = [];
	for (const entry of origins) {
		if (entry === "*" || entry === "null") continue;
		const e = parts(entry);
		// ":*" stands for every port, the default one included.
		const same = (p: Parts) => p.scheme === o.scheme && (p.port === "*" || p.port === o.port);
		const only = `only over ${e.scheme} on ${e.port === "*" ? "any port" : portName(e.port)}`;
		if (e.host.startsWith("*.")) {
			const domain = e.host.slice(2);
			if (o.host === domain && same(e)) {
				hints.push(`"${entry}" matches subdomains of ${domain} only, never ${domain} itself`);
			} else if (o.host.endsWith(`.${domain}`) && !same(e)) {
				hints.push(`"${entry}" covers ${o.host}, but ${only}`);
			}
		} else if (e.host.includes("*")) {
			const hint = globMiss(entry, e, o, same(e), only);
			if (hint !== undefined) hints.push(hint);
		} else if (e.host === o.host) {
			if (e.scheme !== o.scheme) {
				hints.push(`"${entry}" is listed, but this page is served over ${o.scheme}: the scheme is part of the origin`);
			} else if (e.port !== o.port) {
				hints.push(`"${entry}" is listed, but this page is on ${portName(o.port)}: the port is part of the origin`);
			}
		} else if (same(e) && (e.host === `www.${o.host}` || o.host === `www.${e.host}`)) {
			hints.push(`"${entry}" is listed, but ${o.host} and ${e.host} are different origins`);
		}
		if (hints.length === MAX_NEAR_MISSES) break;
	}
	return hints;
}

/** Why a label glob (`pr-*.preview.example.com`) does not admit a host under its parent, if it nearly does. */
function globMiss(entry: string, e: Parts, o: Parts, sameSchemeAndPort: boolean, only: string): string | undefined {
	const dot = e.host.indexOf(".");
	const parent = e.host.slice(dot + 1);
	const [pre, suf] = e.host.slice(0, dot).split("*") as [string, string];
	if (o.host === parent) return `"${entry}" matches hosts under ${parent} only, never ${parent} itself`;
	if (!o.host.endsWith(`.${parent}`)) return undefined;
	const label = o.host.slice(0, -(parent.length + 1));
	if (label.length <= pre.length + suf.length || !label.startsWith(pre) || !label.endsWith(suf)) return undefined;
	const middle = label.slice(pre.length, label.length - suf.length);
	if (middle.includes("."))
		return `"${entry}" matches one label before ${parent}: its * never stands for a dot, and ${label} has ${label.split(".").length} labels`;
	if (!/^[a-z0-9-]+$/.test(middle))
		return `"${entry}": its * stands for letters, digits and - only, and ${JSON.stringify(middle)} has another character`;
	return sameSchemeAndPort ? undefined : `"${entry}" covers ${o.host}, but ${only}`;
}

/** Where to change `field` so that the refusing policy changes: the route's own list, or the top level's it uses. */
function fieldToEdit(field: "methods" | "headers", at: Refuser): string {
	if (at.route === null) return `"${field}"`;
	const route = `routes[${JSON.stringify(at.route)}]`;
	return at.own[field] === undefined ? `"${field}" (${route} uses the top level's)` : `${route}.${field}`;
}

/** The command that admits `key` where it was refused. */
function addCommand(key: string, at: Refuser): string {
	if (at.route === null) return `cors-gateway add ${key}`;
	if (at.own.origins !== undefined) return `cors-gateway add --route ${at.route} ${key}`;
	return `cors-gateway add ${key} (route ${at.route} uses the top level's origins)`;
}

/** What to tell the developer after a refusal: why, then how to fix it. */
export function refusalHints(reason: RefusalReason, detail: string, origin: string, at: Refuser): string[] {
	const document = at.document;
	const listed = (field: string) =>
		at.route === null ? `the allowlist's ${field}` : `the ${field} of route ${at.route}`;
	switch (reason) {
		case "origin-not-allowed": {
			const key = canonicalOrigin(origin);
			const near = nearMisses(key, document?.origins ?? []);
			const nullNote = key === "null" ? [NULL_ORIGIN_NOTE] : [];
			return [...near, ...nullNote, `to allow it: ${addCommand(key, at)}`];
		}
		case "origin-malformed": {
			const entry = parseOriginEntry(origin);
			const fix = "fix" in entry && entry.fix?.startsWith("use ") ? `; did you mean ${entry.fix.slice(4)}?` : "";
			return [
				`browsers send Origin as scheme://host[:port] (or null), with no path, trailing slash, query or user-info${fix}`,
			];
		}
		case "origin-empty":
			return ["browsers never send an empty Origin; give the origin of the calling page, e.g. https://app.example.com"];
		case "origin-too-long":
			return ["no real origin is that long; the gateway refuses it without looking further"];
		case "method-not-allowed": {
			const upper = detail.toUpperCase();
			const caseHint =
				upper !== detail && document?.methods.includes(upper)
					? [
							`methods are case-sensitive: browsers send "${detail}" exactly as the page writes it (only ${[...NORMALIZED_METHODS].join(", ")} are upper-cased); write method: "${upper}" in fetch()`,
						]
					: [];
			return [
				...caseHint,
				`${listed("methods")} are ${(document?.methods ?? []).join(", ")}`,
				`to allow it: add "${detail}" to ${fieldToEdit("methods", at)}; ${EDIT}`,
			];
		}
		case "header-not-allowed":
			return [
				`${listed("headers")} are ${document?.headers.length ? document.headers.join(", ") : "(none)"}, plus the CORS-safelisted ${SAFELISTED_REQUEST_HEADERS.join(", ")}`,
				`to allow it: add "${detail}" to ${fieldToEdit("headers", at)}; ${EDIT}`,
			];
		case "no-allowlist":
			return ['store one with "cors-gateway push FILE" or "cors-gateway add ORIGIN"'];
		default:
			return [];
	}
}
