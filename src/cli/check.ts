import type { Command } from "commander";
import { withContent } from "../config/source.js";
import { ConfigError, formatProblem } from "../errors.js";
import { uncommittedFiles } from "../git/history.js";
import { protectedPaths, protectedTargetProblems } from "../modules/protected.js";
import type { Manifest } from "../resources/types.js";
import { withSourceOptions } from "./options.js";
import type { CliFactory } from "./program.js";

/**
 * check reads HEAD, and people edit, then check: when the config at HEAD is
 * wrong and the work tree has changes, say that they were not read.
 */
async function dirtyHint(
  err: unknown,
  o: { commit?: string; worktree?: boolean },
  repo: string,
): Promise<never> {
  if (err instanceof ConfigError && !err.hint && !o.commit && !o.worktree) {
    const changed = await uncommittedFiles(repo).catch(() => []);
    if (changed.length)
      throw new ConfigError(
        err.problems,
        `this checked HEAD; your work tree has uncommitted changes (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""}): commit them, or check them with --worktree`,
      );
  }
  throw err;
}

export function registerCheck(program: Command, cli: CliFactory) {
  withSourceOptions(
    program
      .command("check")
      .description("validate the config for every host (exit 2 with file:line:col on errors)"),
  ).action(async (o: { commit?: string; worktree?: boolean }) => {
    const c = cli();
    const { checkAllHosts, buildManifest } = await import("../config/kit.js");
    const repo = c.repoDir();
    const source = await c
      .sourceLoader(o, repo, { fromStore: false })()
      .catch((err) => dirtyHint(err, o, repo));
    const manifests = new Map<string, Manifest>();
    const guarded = protectedPaths(c.home, c.stateDir, repo);
    const warnings = new Set<string>();
    const configs = await withContent(source, () =>
      checkAllHosts(source, (config) => {
        const built = buildManifest(config);
        const manifest = built.manifest;
        for (const w of built.warnings) warnings.add(formatProblem(w));
        const problems = protectedTargetProblems(manifest, guarded);
        if (problems.length) throw new ConfigError(problems);
        manifests.set(config.host.name, manifest);
      }),
    ).catch((err) => dirtyHint(err, o, repo));
    const hosts = configs.map((config) => {
      const manifest = manifests.get(config.host.name) as Manifest;
      return {
        host: config.host.name,
        platform: config.host.platform,
        resources: manifest.resources.length,
        manifestHash: manifest.hash,
      };
    });
    if (c.opts.json) c.printJson({ ok: true, source: source.label, hosts, warnings: [...warnings] });
    else {
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      c.print(`${c.palette.green("ok")}: ${source.label} is valid for ${hosts.length} host(s)`);
      for (const h of hosts) c.print(`  ${h.host} (${h.platform}): ${h.resources} resources`);
    }
  });
}
