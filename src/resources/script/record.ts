import type { ResourceContext } from "../context.js";

/**
 * What this machine last ran of a script: kept in the state dir
 * (`scripts/<name>.json`), not in a generation, because running is a fact of
 * the machine: a `once` script stays run across generations and rollbacks.
 * `token` names the step that wrote it, so an undo acts only on its own run.
 */
export interface ScriptRecord {
  hash: string;
  token: string;
  ranAt: string;
}

export const recordPath = (ctx: ResourceContext, name: string) => `${ctx.state.dir}/scripts/${name}.json`;

export async function readRecord(ctx: ResourceContext, name: string): Promise<ScriptRecord | null> {
  const path = recordPath(ctx, name);
  if (!(await ctx.host.lstat(path))) return null;
  try {
    return JSON.parse((await ctx.host.readFile(path)).toString("utf8")) as ScriptRecord;
  } catch {
    return null; // torn or hand-edited: as if it never ran
  }
}

export async function writeRecord(ctx: ResourceContext, name: string, rec: ScriptRecord | null) {
  const path = recordPath(ctx, name);
  if (rec === null) {
    await ctx.host.unlink(path);
    return;
  }
  await ctx.host.mkdir(`${ctx.state.dir}/scripts`, 0o700);
  await ctx.host.writeFile(path, `${JSON.stringify(rec)}\n`, 0o600);
}
