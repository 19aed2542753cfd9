import { realpathSync } from "node:fs";
import { userInfo } from "node:os";
import { DotopsError } from "../errors.js";
import type { ResourceContext } from "../resources/context.js";
import { stepOps } from "../resources/registry.js";
import { currentUid, once } from "../resources/shared/tools.js";
import type { Step, StepOp } from "../resources/step.js";

/*
 * Root only through one door (DESIGN §3b). The agent and `dotops apply` run
 * as the user; a step marked `root` (a system-wide defaults domain, a file in
 * /etc) runs through one `sudo -n` call to dotops itself, `dotops privileged
 * run|undo`, with the steps as JSON on stdin — no shell strings. That command
 * carries out only steps whose op says they may run as root
 * (`StepOp.mayRunAsRoot`), so the sudoers rule grants exactly that.
 */

export type Direction = "run" | "undo";

/** This dotops: the node binary and the CLI script it runs (what the sudoers rule names). */
function self(): [string, string] {
  const script = process.env.DOTOPS_SELF ?? process.argv[1] ?? "dotops";
  let resolved = script;
  try {
    resolved = realpathSync(script);
  } catch {
    // not a file we can resolve: name it as given
  }
  return [process.execPath, resolved];
}

/** The sudoers line that lets this user run the door (for this state dir) without a password. */
export function sudoersLine(stateDir: string): string {
  const [node, cli] = self();
  return `${userInfo().username} ALL=(root) NOPASSWD: ${node} ${cli} --state ${stateDir} privileged *`;
}

/** Root steps go through the door unless the host's commands already run as root. */
export async function needsDoor(ctx: ResourceContext, steps: Step[]): Promise<boolean> {
  if (!steps.some((s) => s.root === true)) return false;
  return (await once(ctx, "uid", () => currentUid(ctx.host))) !== 0;
}

/** Runs (or undoes) root steps through `sudo -n dotops privileged`. */
export async function throughDoor(ctx: ResourceContext, steps: Step[], direction: Direction): Promise<void> {
  const [node, cli] = self();
  const args = ["-n", node, cli, "--state", ctx.state.dir, "privileged", direction];
  const r = await ctx.host.exec("sudo", args, { input: JSON.stringify({ steps }) });
  if (r.exitCode === 0) return;
  const said = (r.stderr || r.stdout).trim();
  if (/password is required|not allowed|may not run sudo|no tty present/i.test(said))
    throw new DotopsError(
      `${steps.length} step(s) need root and sudo refused (${said}). To allow dotops' privileged steps without a password, add this line with \`sudo visudo -f /etc/sudoers.d/dotops\`:\n  ${sudoersLine(ctx.state.dir)}`,
      1,
    );
  throw new DotopsError(`privileged ${direction} failed (exit ${r.exitCode}): ${said}`, 1);
}

/** `dotops privileged run|undo`: carries out root steps, refusing any op that may not run as root. */
export async function runPrivileged(
  ctx: ResourceContext,
  steps: Step[],
  direction: Direction,
): Promise<void> {
  for (const step of steps) {
    const op = stepOps[step.op] as StepOp<Step> | undefined;
    if (!op?.mayRunAsRoot?.(step))
      throw new DotopsError(`refusing to run step ${step.op} as root: not a step dotops runs as root`, 1);
  }
  // Undo groups arrive in undo order already (the journal reverses them).
  for (const step of steps) {
    const op = stepOps[step.op] as StepOp<Step>;
    if (direction === "run") await op.run(ctx, step);
    else await op.undo(ctx, step);
  }
}
