import type { Config } from "../config/load.js";
import type { FileEntry } from "../config/schema.js";
import { secretPlaceholder } from "../config/secret.js";
import { listUnder, normalizeRepoPath, resolveSourcePath } from "../config/source.js";
import { renderTemplate } from "../config/template.js";
import { formatPath, originOf, type Path, pathKey } from "../config/yaml.js";
import { ConfigError, type ConfigProblem, type Origin } from "../errors.js";
import type { Blob, Located, Resource } from "../resources/types.js";
import { homeTarget } from "./home-path.js";
import type { ModuleOutput } from "./module.js";
import { makeBlob } from "./objects.js";

/** home/files.yaml → link and file resources (Home Manager's home.file). */
export function filesModule(config: Config): ModuleOutput {
  const resources: Located<Resource>[] = [];
  const blobs: Blob[] = [];
  const problems: ConfigProblem[] = [];
  config.files.forEach((entry, i) => {
    const at: Path = ["files", i];
    const origin = originOf(config.located, at);
    try {
      for (const item of expandEntry(config, entry, at, origin)) {
        const blob = makeBlob(item.data, item.executable, item.id);
        blobs.push(blob);
        const mode = entry.mode ?? "link";
        if (mode === "copy") {
          const perms = entry.permissions
            ? Number.parseInt(entry.permissions, 8)
            : item.executable
              ? 0o755
              : 0o644;
          resources.push({
            kind: "file",
            id: item.id,
            object: blob.object,
            mode: perms,
            ...secret(item),
            origin,
          });
        } else {
          resources.push({ kind: "link", id: item.id, object: blob.object, ...secret(item), origin });
        }
      }
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return { resources, blobs };
}

interface Item {
  id: string;
  data: Buffer;
  executable: boolean;
  /** Rendered with a !secret value: plans never show its content. */
  secret?: boolean;
}

const secret = (item: Item) => (item.secret ? { secret: true as const } : {});

function expandEntry(config: Config, entry: FileEntry, at: Path, origin: Origin | undefined): Item[] {
  const fail = (message: string, path: Path = at): never => {
    throw new ConfigError([
      { message, origin: originOf(config.located, path) ?? origin, path: formatPath(path) },
    ]);
  };
  const targetPath: Path = [...at, "target"];
  const target = homeTarget(
    entry.target,
    originOf(config.located, targetPath),
    "target",
    formatPath(targetPath),
  );
  if (entry.permissions && (entry.mode ?? "link") !== "copy")
    fail("permissions need mode: copy (links point into the read-only store)", [...at, "permissions"]);
  if ((entry.source === undefined) === (entry.text === undefined))
    fail(`give exactly one of source or text for ${entry.target}`);

  if (entry.text !== undefined) {
    const textPath: Path = [...at, "text"];
    const textOrigin =
      config.located.texts?.get(pathKey(textPath)) ?? originOf(config.located, textPath) ?? origin;
    const r = entry.mode === "template" ? render(config, entry.text, textOrigin) : { text: entry.text };
    return [
      { id: target, data: Buffer.from(r.text), executable: entry.executable ?? false, secret: r.secret },
    ];
  }

  const source = entry.source as string;
  const resolved = resolveSourcePath(config.source, source);
  if (resolved.loop) fail(`source ${source} is a symlink loop in ${config.source.label}`, [...at, "source"]);
  if (resolved.file?.type === "symlink")
    fail(`source ${source} is a symlink out of the repo (${resolved.file.data}); commit the file itself`, [
      ...at,
      "source",
    ]);
  if (resolved.file) return [item(config, entry, target, resolved.path, resolved.file)];

  const inside = listUnder(config.source, resolved.path);
  if (!inside.length)
    fail(
      resolved.path === normalizeRepoPath(source)
        ? `source ${source} does not exist in ${config.source.label} (is it committed?)`
        : `source ${source} is a symlink to ${resolved.path}, which is not in ${config.source.label}`,
      [...at, "source"],
    );
  // Every file inside is checked, so one run names every broken one.
  const problems: ConfigProblem[] = [];
  const items = inside.flatMap((path) => {
    try {
      const f = resolveSourcePath(config.source, path);
      if (f.loop || !f.file || f.file.type === "symlink")
        fail(`${path} (inside ${source}) is a symlink loop or points out of the repo`, [...at, "source"]);
      const rel = path.slice(resolved.path.length + 1);
      return [item(config, entry, `${target}/${rel}`, path, f.file as NonNullable<typeof f.file>)];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return [];
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return items;
}

function item(
  config: Config,
  entry: FileEntry,
  id: string,
  path: string,
  file: { type: string; data: Buffer },
): Item {
  const executable = entry.executable ?? file.type === "exec";
  if (entry.mode !== "template") return { id, data: file.data, executable };
  const r = render(config, file.data.toString("utf8"), { file: path, line: 1, col: 1 });
  return { id, data: Buffer.from(r.text), executable, secret: r.secret };
}

function render(config: Config, text: string, where: Origin | undefined): { text: string; secret?: boolean } {
  const ctx = {
    user: config.user,
    vars: config.vars,
    host: { name: config.host.name, platform: config.host.platform },
  };
  let secret = false;
  const rendered = renderTemplate(text, ctx, where ?? { file: "(inline)", line: 1, col: 1 }, (ref) => {
    secret = true;
    return config.resolveSecret ? config.resolveSecret(ref) : secretPlaceholder(ref);
  });
  return { text: rendered, secret };
}
