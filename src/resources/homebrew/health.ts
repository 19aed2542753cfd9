import type { ResourceContext } from "../context.js";
import type { KindHealth } from "../kind.js";
import { findTool } from "../shared/tools.js";
import { BREW_HINT, brew } from "./brew-cli.js";

/**
 * `dotops health`'s Homebrew line, when the generation manages brews or
 * casks: brew present, and what `brew doctor` warns about (it exits 1 with
 * `Warning: …` paragraphs when it finds anything). Asked once however many
 * Homebrew kinds the generation has.
 */
export async function homebrewHealth(ctx: ResourceContext, rs: { id: string }[]): Promise<KindHealth[]> {
  if (ctx.memo.has("brew:health")) return [];
  ctx.memo.set("brew:health", Promise.resolve());
  if (!(await findTool(ctx, "brew")))
    return [
      {
        name: "homebrew",
        ok: true,
        warn: true,
        detail: `brew is not on PATH, and the generation manages ${rs.length} Homebrew package(s): ${BREW_HINT}`,
        explains: rs.map((r) => r.id),
      },
    ];
  const r = await brew(ctx, ["doctor"], { readOnly: true, ok: [0, 1], timeoutMs: 120_000 });
  if (r.exitCode === 0) return [{ name: "homebrew", ok: true, detail: "brew doctor: ready to brew" }];
  const warnings = `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => l.startsWith("Warning: "))
    .map((l) => l.slice("Warning: ".length).trim());
  return [
    {
      name: "homebrew",
      ok: true,
      warn: true,
      detail: `brew doctor: ${warnings.length} warning(s)${warnings.length ? `: ${warnings[0]}${warnings.length > 1 ? " …" : ""}` : ""} (run \`brew doctor\` to read them)`,
    },
  ];
}
