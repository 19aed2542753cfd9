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
  const warnings: ConfigProblem[] = [];
  config.files.forEach((entry, i) => {
    if (entry.mode === "block") return; // blocksModule's
    const at: Path = ["files", i];
    const origin = originOf(config.located, at);
    try {
      for (const item of expandEntry(config, entry, at, origin, warnings)) {
        if (item.symlink !== undefined) {
          resources.push({ kind: "symlink", id: item.id, target: item.symlink, origin });
          continue;
        }
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
  return { resources, blobs, warnings };
}

type Item =
  | {
      id: string;
      data: Buffer;
      executable: boolean;
      /** Rendered with a !secret value: plans never show its content. */
      secret?: boolean;
      symlink?: undefined;
    }
  /** A symlink kept as a link, with this text. */
  | { id: string; symlink: string };

const secret = (item: { secret?: boolean }) => (item.secret ? { secret: true as const } : {});

function expandEntry(
  config: Config,
  entry: FileEntry,
  at: Path,
  origin: Origin | undefined,
  warnings: ConfigProblem[],
): Item[] {
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
    entry.source !== undefined,
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
  const sourceAt: Path = [...at, "source"];
  const resolved = resolveSourcePath(config.source, source);
  if (resolved.loop) fail(`source ${source} is a symlink loop in ${config.source.label}`, sourceAt);
  if (resolved.file?.type === "symlink") {
    if (entry.symlinks === "keep" && target !== "~")
      return [{ id: target, symlink: resolved.file.data.toString("utf8") }];
    fail(
      `source ${source} is a symlink out of the repo (${resolved.file.data}); commit the file itself, or set symlinks: keep to deploy it as a link`,
      sourceAt,
    );
  }
  if (resolved.file && target === "~")
    fail(
      `target "${entry.target}" is HOME itself: name a file inside it (only a directory source can go to ~)`,
      targetPath,
    );
  if (resolved.file) return [item(config, entry, target, resolved.path, resolved.file)];

  if (!listUnder(config.source, resolved.path).length)
    fail(
      resolved.path === normalizeRepoPath(source)
        ? `source ${source} does not exist in ${config.source.label} (is it committed?)`
        : `source ${source} is a symlink to ${resolved.path}, which is not in ${config.source.label}`,
      sourceAt,
    );
  const warn = (message: string) =>
    warnings.push({
      message,
      origin: originOf(config.located, sourceAt) ?? origin,
      path: formatPath(sourceAt),
    });
  return expandDir(config, entry, { target, root: resolved.path }, resolved.path, target, warn, new Set());
}

/**
 * Every file under a directory source. Symlinks inside are taken as a user of
 * stow or a home mirror means them: one to a file is that file's content; one
 * to a directory of the same source stays a symlink (`nvim/lua -> lua-5.1`);
 * one to a directory elsewhere in the repo brings that directory's files; one
 * out of the repo (or to nothing) is skipped with a warning, or kept as a
 * link with `symlinks: keep`. Problems of every file are collected, so one
 * run names every broken one.
 */
function expandDir(
  config: Config,
  entry: FileEntry,
  top: { target: string; root: string },
  dir: string,
  target: string,
  warn: (message: string) => void,
  following: Set<string>,
): Item[] {
  const problems: ConfigProblem[] = [];
  const items = listUnder(config.source, dir).flatMap((path): Item[] => {
    const id = `${target}/${path.slice(dir.length + 1)}`;
    const f = config.source.files.get(path);
    try {
      if (f && f.type !== "symlink") return [item(config, entry, id, path, f)];
      const text = f?.data.toString("utf8") ?? "";
      const r = resolveSourcePath(config.source, path);
      if (r.loop) {
        warn(`skipped ${path} (inside ${entry.source}): a symlink loop`);
        return [];
      }
      if (r.file && r.file.type !== "symlink") return [item(config, entry, id, r.path, r.file)];
      if (
        !r.file &&
        r.path !== ".." &&
        !r.path.startsWith("../") &&
        listUnder(config.source, r.path).length
      ) {
        if (r.path === top.root || r.path.startsWith(`${top.root}/`))
          return [{ id, symlink: relativeLink(path, r.path) }];
        if (following.has(r.path)) {
          warn(
            `skipped ${path} (inside ${entry.source}): it leads back into ${r.path}, already being expanded`,
          );
          return [];
        }
        return expandDir(config, entry, top, r.path, id, warn, new Set([...following, r.path]));
      }
      if (entry.symlinks === "keep") return [{ id, symlink: text }];
      warn(
        `skipped ${path} (inside ${entry.source}): a symlink to ${text}, which is not in the repo; set symlinks: keep to deploy it as a link`,
      );
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return [];
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return items;
}

/** The text of a link at repo path `from` to repo path `to`, relative, as it reads from `from`'s directory. */
function relativeLink(from: string, to: string): string {
  const base = from.split("/").slice(0, -1);
  const dest = to.split("/");
  let common = 0;
  while (common < base.length && base[common] === dest[common]) common++;
  return [...base.slice(common).map(() => ".."), ...dest.slice(common)].join("/") || ".";
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
