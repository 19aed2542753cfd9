import { loadPolicy } from "../config/load.js";
import { type ConfigSource, withContent } from "../config/source.js";
import type { Engine } from "../engine/engine.js";
import { currentGeneration, readMeta } from "../engine/generations.js";
import { DotopsError, ExitCode } from "../errors.js";
import { isAncestor, isPublished } from "../git/history.js";
import { gate } from "../rollout/gate.js";
import { earlierWaves } from "../rollout/waves.js";
import type { Cli } from "./context.js";
import { githubReporter } from "./github-credentials.js";

const HINT =
  "wait for the agent to apply it when the earlier waves have, or apply it on this host now with `dotops apply --ignore-rollout`";

/**
 * `dotops apply` of a commit in a staged rollout (`rollout:`) on a host of a
 * later wave: refused while the earlier waves have not applied it, as the
 * agent would hold it. Only a pushed commit newer than the one applied is
 * gated: a local commit is in nobody's rollout, and one applied here (or an
 * older one, a rollback by hand) has been rolled out already.
 */
export async function checkRollout(c: Cli, eng: Engine, repo: string, source: ConfigSource, commit: string) {
  // A lazy snapshot reads a large dotops.yaml on demand: outside withContent it would look empty.
  const policy = await withContent(source, () => loadPolicy(source, c.loadOptions()));
  const r = policy.rollout;
  if (!r || !earlierWaves(r, r.wave).length) return;
  const n = await currentGeneration(eng.host, eng.state);
  const applied = n === null ? null : (await readMeta(eng.host, eng.state, n)).commit;
  if (applied && (applied === commit || (await isAncestor(repo, commit, applied)))) return;
  if (!(await isPublished(repo, commit))) return;
  const short = commit.slice(0, 12);
  const where = `${short} is in a staged rollout and ${policy.host.name} is in wave ${r.wave}`;
  const reporter = await githubReporter(c, eng.host, policy.agent.github, policy.host.name, c.log);
  const read = reporter ? await reporter.reportsOn(commit) : null;
  if (!read)
    throw new DotopsError(
      `${where}: cannot tell whether wave ${r.wave - 1} applied it (${reporter ? "GitHub did not answer" : "no GitHub token: DOTOPS_GITHUB_TOKEN or agent.github"})`,
      ExitCode.refused,
      HINT,
    );
  const g = gate(r, read.reports, read.now);
  if (!g.go) throw new DotopsError(`${where}: ${g.reason}`, ExitCode.refused, HINT);
}
