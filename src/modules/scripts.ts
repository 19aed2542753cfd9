import type { Config } from "../config/load.js";
import { listUnder, normalizeRepoPath, resolveSourcePath } from "../config/source.js";
import { formatPath, originOf, type Path } from "../config/yaml.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type ScriptResource, scriptId } from "../resources/script/resource.js";
import type { ScriptConfig } from "../resources/script/schema.js";
import type { Blob, Located, Resource } from "../resources/types.js";
import type { ModuleOutput } from "./module.js";
import { canonicalJson, contentHash, makeBlob, sha256 } from "./objects.js";

/**
 * home/scripts.yaml → one `script` resource per entry. The hash covers what
 * the script is (its command, or its file's bytes) and what it watches, so
 * `run: onchange` runs again exactly when one of them changes.
 */
export function scriptsModule(config: Config): ModuleOutput {
  const resources: Located<Resource>[] = [];
  const blobs: Blob[] = [];
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  config.scripts.forEach((s, i) => {
    const at: Path = ["scripts", i];
    const problem = (message: string, path: Path = at) =>
      problems.push({ message, origin: originOf(config.located, path), path: formatPath(path) });
    if (seen.has(s.name)) {
      problem(`script name "${s.name}" is used twice (also scripts[${seen.get(s.name)}])`, [...at, "name"]);
      return;
    }
    seen.set(s.name, i);
    if ((s.command === undefined) === (s.script === undefined)) {
      problem(`give exactly one of command or script for script "${s.name}"`);
      return;
    }
    let file: { object: string; shell: boolean } | undefined;
    if (s.script !== undefined) {
      const r = resolveSourcePath(config.source, s.script);
      if (!r.file || r.file.type === "symlink" || r.file.type === "submodule") {
        problem(`script ${s.script} is not a file in ${config.source.label} (is it committed?)`, [
          ...at,
          "script",
        ]);
        return;
      }
      const blob = makeBlob(r.file.data, true, s.script);
      blobs.push(blob);
      file = { object: blob.object, shell: !r.file.data.subarray(0, 2).equals(Buffer.from("#!")) };
    }
    const watched: [string, string][] = [];
    (s.watch ?? []).forEach((w, j) => {
      const path = normalizeRepoPath(w);
      const f = config.source.files.get(path);
      const paths = f ? [path] : listUnder(config.source, path);
      if (!paths.length)
        problem(`watched path ${w} does not exist in ${config.source.label}`, [...at, "watch", j]);
      for (const p of paths) {
        const g = config.source.files.get(p);
        if (g) watched.push([p, contentHash(g.data, g.type === "exec")]);
      }
    });
    const resource: ScriptResource = {
      kind: "script",
      id: scriptId(s.name),
      name: s.name,
      run: s.run,
      hash: scriptHash(s, file?.object, watched),
      ...(s.command ? { command: s.command } : {}),
      ...(file ? { object: file.object, ...(file.shell ? { shell: true as const } : {}) } : {}),
      ...(s.undo ? { undo: s.undo } : {}),
    };
    resources.push({ ...resource, origin: originOf(config.located, at) });
  });
  if (problems.length) throw new ConfigError(problems);
  return { resources, blobs };
}

function scriptHash(s: ScriptConfig, object: string | undefined, watched: [string, string][]): string {
  return sha256(canonicalJson({ command: s.command ?? null, script: object ?? null, watched }));
}
