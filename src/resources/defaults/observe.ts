import { DotopsError } from "../../errors.js";
import { PlistError, type TypedPlist, typedPlistXml } from "../../format/plist.js";
import type { ResourceContext } from "../context.js";
import { missingTool, once, ToolError, type Unobservable } from "../shared/tools.js";
import type { DomainRef } from "./resource.js";
import { showDomain } from "./resource.js";

/*
 * What a domain holds, read with one `defaults export <domain> -` (an XML
 * plist on stdout) per domain and run, parsed with its types.
 */

export const DEFAULTS_INSTALL = "defaults comes with macOS; this host's config says platform: darwin";

/** A domain's keys, and the XML it was exported as (the base for `defaults import`). */
export interface DomainState {
  xml: string;
  keys: Record<string, TypedPlist>;
}

export const hostArgs = (ref: DomainRef) => (ref.currentHost ? ["-currentHost"] : []);

const EMPTY: DomainState = { xml: typedPlistXml({ type: "dict", value: {} }), keys: {} };

/** Reads a domain now (no memo): what a step reads back after writing. */
export async function exportDomain(ctx: ResourceContext, ref: DomainRef): Promise<DomainState> {
  const command = ["defaults", ...hostArgs(ref), "export", ref.domain, "-"];
  const r = await ctx.host.exec("defaults", command.slice(1), { readOnly: true });
  // A domain nobody wrote yet: "Domain … does not exist" (some versions), or an empty <dict/>.
  if (r.exitCode === 1 && /does not exist/.test(r.stderr)) return EMPTY;
  if (r.exitCode !== 0 || r.timedOut) throw new ToolError(command, r);
  const { parseTypedPlist } = await import("../../format/plist-xml.js");
  let parsed: TypedPlist;
  try {
    parsed = parseTypedPlist(r.stdout);
  } catch (err) {
    if (!(err instanceof PlistError)) throw err;
    throw new DotopsError(
      `defaults export of domain ${showDomain(ref)} is not a property list: ${err.message}`,
      1,
      `check the domain by hand: defaults ${[...hostArgs(ref), "export", ref.domain, "-"].join(" ")}`,
    );
  }
  if (parsed.type !== "dict")
    throw new DotopsError(`defaults export of domain ${showDomain(ref)} is a ${parsed.type}, not a dict`, 1);
  return { xml: r.stdout, keys: parsed.value };
}

/** The domain as it is at plan time: one export per domain and run, shared by all its keys. */
export async function observeDomain(
  ctx: ResourceContext,
  ref: DomainRef,
): Promise<DomainState | Unobservable> {
  const missing = await missingTool(ctx, "defaults", DEFAULTS_INSTALL);
  if (missing) return missing;
  return once(ctx, `defaults-export:${showDomain(ref)}`, () => exportDomain(ctx, ref));
}
