import type { ConfigProblem } from "../errors.js";
import type { Manifest } from "../resources/types.js";
import { withinOf } from "./home-path.js";

/** A path dotops must never manage as a target: its own state, or the config repo it reads. */
export interface ProtectedPath {
  /** `~/...` */
  id: string;
  what: string;
}

/** The state dir and config repo as `~/...` ids; those outside HOME cannot collide with a target. */
export function protectedPaths(home: string, stateDir: string, repoDir?: string): ProtectedPath[] {
  const out: ProtectedPath[] = [];
  const add = (abs: string | undefined, what: string) => {
    if (abs?.startsWith(`${home}/`)) out.push({ id: `~/${abs.slice(home.length + 1)}`, what });
  };
  add(stateDir, "dotops' state dir");
  add(repoDir, "the config repo");
  return out;
}

/**
 * Targets inside the state dir or the config repo, or files standing where one
 * of them is: managing them would make dotops overwrite itself (a link at
 * `current` becomes a loop no command can undo) or edit the repo it reads.
 */
export function protectedTargetProblems(manifest: Manifest, paths: ProtectedPath[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const r of manifest.resources) {
    // Only what the config asked for (it has an origin): parent directories come with their targets.
    if (!r.origin) continue;
    const id = withinOf(r) ?? r.id;
    for (const p of paths) {
      const inside = id === p.id || id.startsWith(`${p.id}/`);
      const above = p.id.startsWith(`${id}/`);
      if (!inside && !above) continue;
      problems.push({
        message: inside
          ? `target ${r.id} is inside ${p.what} (${p.id}): dotops never manages its own files; choose another target`
          : `target ${r.id} would replace a directory that holds ${p.what} (${p.id}); choose another target`,
        origin: r.origin,
      });
    }
  }
  return problems;
}
