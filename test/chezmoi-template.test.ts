import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { chezmoiImporter } from "../src/migrate/chezmoi.js";
import type { OutputFile } from "../src/migrate/importer.js";

/*
 * A chezmoi template's literal text is Go-template literal; in Liquid `{%` opens a tag. Shaped like
 * twpayne/dotfiles' dot_p10k.zsh.tmpl (powerlevel10k's `'%{%}'` segments beside `{{ .email }}`).
 */
describe("importing a chezmoi template", () => {
  it("keeps zsh's %{%} literal when the names are translated to Liquid", async () => {
    const text =
      "typeset -g POWERLEVEL9K_LEFT_SEGMENT_END_SYMBOL='%{%}'\n# {{ .email }} on {{ .chezmoi.hostname }}\n";
    const r = chezmoiImporter.convertTree(
      [{ path: "dot_p10k.zsh.tmpl", type: "file", mode: 0o644, data: Buffer.from(text) }],
      { inRepo: null },
    );
    expect(r.skipped).toEqual([]);
    const out = Object.values(r.files).find((f): f is OutputFile => typeof f !== "string");
    const liquid = new Liquid({ strictVariables: true });
    const rendered = await liquid.parseAndRender(String(out?.data), {
      user: { email: "a@example.com" },
      host: { name: "box" },
    });
    expect(rendered).toBe("typeset -g POWERLEVEL9K_LEFT_SEGMENT_END_SYMBOL='%{%}'\n# a@example.com on box\n");
  });
});
