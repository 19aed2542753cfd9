import { join } from "node:path";
import { RealHost } from "./real-host.js";

/**
 * A real directory posing as `/` with HOME at `<root>/home/<user>`. Absolute
 * system paths (`/etc/nix/nix.conf`) land under the root, so tests and the demo
 * exercise real files while touching nothing else on the machine.
 */
export class SandboxHost extends RealHost {
  constructor(
    readonly root: string,
    opts: { user?: string; env?: Record<string, string | undefined> } = {},
  ) {
    const home = join(root, "home", opts.user ?? "user");
    super({ home, env: sandboxEnv(home, opts.env) });
  }

  protected override p(path: string): string {
    return path === this.root || path.startsWith(`${this.root}/`) ? path : join(this.root, path);
  }
}

/** The caller's environment without variables that would point outside the sandbox. */
export function sandboxEnv(home: string, env: Record<string, string | undefined> = process.env) {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith("XDG_") && !k.startsWith("DOTOPS_")) out[k] = v;
  out.HOME = home;
  return out;
}
