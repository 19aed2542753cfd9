import type { ExecResult, Host } from "../../host/host.js";
import { currentUid, ToolError } from "../shared/tools.js";

export { currentUid };

/*
 * launchctl, the one way dotops talks to launchd: the `services:` kind and
 * `dotops install-agent` both load and unload through these functions.
 * Exit codes are launchctl's errno (fixtures launchctl/launchctl_errors.txt):
 * 3 "No such process" from bootout of a service that is not loaded, 5
 * "Input/output error" from a bootstrap that launchd rejected, 113 "Could not
 * find service" from print/kickstart of one that is not loaded.
 */

export const NOT_LOADED = 3;
export const NO_SUCH_SERVICE = 113;

export const guiDomain = (uid: number) => `gui/${uid}`;

function hint(r: ExecResult): string | undefined {
  const said = `${r.stderr}${r.stdout}`;
  if (/Could not find domain for user gui/.test(said))
    return "launchd agents need a logged-in GUI session for this user; log in at the console (not only over ssh) and retry";
  if (/Bootstrap failed: 5:/.test(said))
    return "launchd refused the plist: check that its program exists and runs (`plutil -lint` the plist, then `launchctl bootstrap` it by hand for launchd's reason)";
  return undefined;
}

async function launchctl(host: Host, args: string[], ok: number[], readOnly = false): Promise<ExecResult> {
  const r = await host.exec("launchctl", args, { readOnly });
  if (!ok.includes(r.exitCode) || r.timedOut) throw new ToolError(["launchctl", ...args], r, hint(r));
  return r;
}

/** A loaded service as `launchctl print` shows it. */
export interface LoadedService {
  /** The plist it was loaded from (`path = …`). */
  path: string | null;
  /** `running`, `not running`, `spawn scheduled`, … */
  state: string | null;
}

/** Is `label` loaded in `domain`, and from which plist? One `launchctl print`. */
export async function printService(host: Host, domain: string, label: string): Promise<LoadedService | null> {
  const r = await launchctl(host, ["print", `${domain}/${label}`], [0, NO_SUCH_SERVICE], true);
  if (r.exitCode === NO_SUCH_SERVICE) return null;
  const field = (name: string) => new RegExp(`^\\t${name} = (.*)$`, "m").exec(r.stdout)?.[1] ?? null;
  return { path: field("path"), state: field("state") };
}

const IO_ERROR = 5;
/** How often a bootstrap refused with errno 5 is tried again: launchd may still be draining a job just booted out. */
const DRAIN_RETRIES = [250, 1000];

/** Loads a plist into the domain; fails with launchctl's own words (e.g. "Bootstrap failed: 5: Input/output error"). */
export async function bootstrap(host: Host, domain: string, plist: string): Promise<void> {
  for (const wait of [...DRAIN_RETRIES, null]) {
    const r = await launchctl(host, ["bootstrap", domain, plist], [0, IO_ERROR]);
    if (r.exitCode === 0) return;
    if (wait === null) throw new ToolError(["launchctl", "bootstrap", domain, plist], r, hint(r));
    await new Promise((done) => setTimeout(done, wait));
  }
}

/**
 * Unloads a service; false when it was not loaded. `tolerate`: other exit
 * codes that mean "nothing to unload here" to the caller.
 */
export async function bootout(
  host: Host,
  domain: string,
  label: string,
  tolerate: number[] = [],
): Promise<boolean> {
  const r = await launchctl(host, ["bootout", `${domain}/${label}`], [0, NOT_LOADED, ...tolerate]);
  return r.exitCode === 0;
}
