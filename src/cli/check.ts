import type { Command } from "commander";
import { withContent } from "../config/source.js";
import { ConfigError, formatProblem } from "../errors.js";
import { protectedPaths, protectedTargetProblems } from "../modules/protected.js";
import type { Manifest } from "../resources/types.js";
import { withSourceOptions } from "./options.js";
import type { CliFactory } from "./program.js";

export function registerCheck(program: Command, cli: CliFactory) {
  withSourceOptions(
    program
      .command("check")
      .description("validate the config for every host (exit 2 with file:line:col on errors)"),
  ).action(async (o: { commit?: string; worktree?: boolean }) => {
    const c = cli();
    const { checkAllHosts, buildManifest } = await import("../config/kit.js");
    const repo = c.repoDir();
    const source = await c.sourceLoader(o, repo, { fromStore: false })();
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
    );
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
