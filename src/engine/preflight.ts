import { PolicyError } from "../errors.js";
import type { Change } from "../resources/change.js";
import { type Engine, recoverIfInterrupted, refuseWhileApplying, withLock } from "./engine.js";
import { lockedBy } from "./lock.js";
import type { Plan } from "./plan.js";

/*
 * Commands that change the machine (apply, rollback) plan and get approval
 * before they create the state dir or take its lock: a refused command
 * changes nothing, and a prompt waiting for the user holds no lock (the agent
 * would wait behind it). Under the lock they plan again only when another
 * command changed the state meanwhile or the user took their time to answer,
 * and then go ahead only with what was approved. The common case (nobody
 * else, no prompt) plans once and pays a few small reads.
 */

export interface Approval {
  allowDestructive?: boolean;
  /** Asked (on a TTY) before destructive steps when they are not allowed outright; no lock is held meanwhile. */
  confirmDestructive?: (plan: Plan) => Promise<boolean>;
}

/** How a destructive change is known across two plans of one command. */
const changeKey = (c: Change) => `${c.action} ${c.kind} ${c.id}`;

interface Verdict {
  /** The plan is refused (exit 4). */
  refusal?: PolicyError;
  /** Destructive steps that need the user's yes. */
  ask?: Change[];
  /** The destructive changes this plan may carry out. */
  approved: Set<string>;
}

/**
 * Conflicts refuse a plan; destructive steps need --allow-destructive, the
 * user's yes, or (`approved`, a plan made again under the lock) to have been
 * approved already.
 */
function verdict(plan: Plan, req: Approval, approved?: ReadonlySet<string>): Verdict {
  const refused = plan.changes.filter((c) => c.refusal);
  const destructive = plan.changes.filter((c) => c.destructive);
  const all = new Set(destructive.map(changeKey));
  if (refused.length) {
    const inTheWay = refused.every((c) => c.id.startsWith("~"));
    const refusal = new PolicyError(
      `refusing to apply: ${refused.length} ${inTheWay ? "path(s) in the way" : "change(s) cannot go ahead"}\n${refused.map((c) => `  ${c.id}: ${c.refusal}`).join("\n")}`,
      inTheWay
        ? "nothing was changed; move the files aside or rerun with --backup"
        : "nothing was changed; see the reason of each change above",
    );
    return { refusal, approved: all };
  }
  if (!destructive.length || req.allowDestructive) return { approved: all };
  if (approved) {
    const fresh = destructive.filter((c) => !approved.has(changeKey(c)));
    if (!fresh.length) return { approved: all };
    const refusal = new PolicyError(
      `refusing ${fresh.length} destructive step(s) that were not in the plan approved: the machine or the state dir changed meanwhile\n${list(fresh)}`,
      "nothing was changed; rerun to see the plan as it is now",
    );
    return { refusal, approved: all };
  }
  return { ask: destructive, approved: all };
}

function notApproved(plan: Plan, destructive: Change[]): PolicyError {
  return new PolicyError(
    `refusing ${plan.summary.destructive} destructive step(s):\n${list(destructive)}`,
    "nothing was changed; rerun with --allow-destructive if you mean it",
  );
}

const list = (cs: Change[]) =>
  cs.map((c) => `  ${c.action} ${c.kind} ${c.id}${c.note ? `: ${c.note}` : ""}`).join("\n");

/**
 * What another dotops command changes in the state dir under the lock (a new
 * generation, a switch, a drift repair, gc, a recovery), in a few small
 * reads. Before the lock is ours, the state dir's own mtime counts too
 * (`dir`): any command that took the lock meanwhile created and removed the
 * lock file in it.
 */
interface StateStamp {
  records: string;
  dir: number | null;
}

async function stamp(eng: Engine): Promise<StateStamp> {
  const { host, state } = eng;
  const read = (path: string) =>
    host.readFile(path).then(
      (b) => b.toString("utf8"),
      () => null,
    );
  const current = (await host.lstat(state.current))
    ? await host.readlink(state.current).catch(() => "?")
    : null;
  const generations = (await host.lstat(state.generations)) ? await host.readdir(state.generations) : [];
  const journal = (await host.lstat(state.journal)) !== null;
  const records =
    current === null
      ? []
      : await Promise.all(
          ["meta.json", "objects.json", "owned.json"].map((f) => read(`${state.current}/${f}`)),
        );
  const dir = (await host.lstat(state.dir))?.mtimeMs ?? null;
  return { records: JSON.stringify({ current, generations, journal, records }), dir };
}

const same = (a: StateStamp, b: StateStamp) => a.records === b.records && a.dir === b.dir;

/** Plans made from a state that kept changing under them are made again this many times, then taken as they are. */
const ATTEMPTS = 3;

/**
 * Plans (`plan`), approves, then runs `body` under the lock with a plan that
 * still holds. `done` answers for a plan with nothing to do, without the lock.
 */
export async function planThenLock<P extends { plan: Plan }, T>(
  eng: Engine,
  command: string,
  req: Approval,
  plan: () => Promise<P>,
  done: (p: P) => T | undefined,
  body: (p: P) => Promise<T>,
): Promise<T> {
  await recoverIfInterrupted(eng);
  let planned: P;
  let seen: StateStamp;
  let asked = false;
  let approved: Set<string>;
  for (let attempt = 1; ; attempt++) {
    await refuseWhileApplying(eng);
    seen = await stamp(eng);
    planned = await plan();
    const early = done(planned);
    if (early !== undefined) return early;
    const v = verdict(planned.plan, req);
    approved = v.approved;
    if (!v.refusal && !v.ask) break;
    // Refusing or asking is only right for a plan made from a state nobody was changing:
    // while another command runs, that is what to say; after it ran, plan again.
    const busy = await lockedBy(eng.host, eng.state.lock);
    if (busy) throw busy;
    if (attempt < ATTEMPTS && !same(await stamp(eng), seen)) continue;
    if (v.refusal) throw v.refusal;
    if (!(await req.confirmDestructive?.(planned.plan))) throw notApproved(planned.plan, v.ask ?? []);
    asked = true;
    break;
  }
  return withLock(eng, command, async () => {
    // Our own lock changed the state dir's mtime: under it, only the records count.
    if (asked || (await stamp(eng)).records !== seen.records) {
      planned = await plan();
      const early = done(planned);
      if (early !== undefined) return early;
      const v = verdict(planned.plan, req, approved);
      if (v.refusal) throw v.refusal;
    }
    return body(planned);
  });
}
