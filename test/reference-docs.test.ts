/**
 * The generated reference pages are committed: a change to the config schema's
 * descriptions or to a command's help that is not regenerated fails here (and
 * in CI). Regenerated in memory from the same functions `npm run docs` runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REFERENCE_FILES, undocumentedOptions } from "../src/cli/reference-docs.js";
import { configJsonSchema } from "../src/config/schema.js";
import { dotops, ROOT, sandbox } from "./helpers.js";

describe("reference docs", () => {
  it.each(Object.entries(REFERENCE_FILES))("%s is up to date", (file, generate) => {
    let committed = "";
    try {
      committed = readFileSync(join(ROOT, file), "utf8");
    } catch {}
    const fresh = generate();
    // One readable failure rather than a diff of a few hundred lines.
    if (committed !== fresh) {
      const a = committed.split("\n");
      const b = fresh.split("\n");
      const at = b.findIndex((line, i) => line !== a[i]);
      expect.fail(
        `${file} is stale: run npm run docs (and commit it). First difference at line ${at + 1}:\n- ${a[at] ?? "(end)"}\n+ ${b[at] ?? "(end)"}`,
      );
    }
  });

  it("every option of the config schema has a description (the schema is the documentation)", () => {
    expect(undocumentedOptions()).toEqual([]);
  });

  it("`dotops schema` prints the schema the configuration reference is generated from", async () => {
    const { home } = sandbox();
    for (const which of ["entry", "fragment"] as const) {
      const r = await dotops(which === "entry" ? ["schema"] : ["schema", "--fragment"], { home });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(configJsonSchema(which));
    }
  });

  it("each command's help prose is in the commands reference", async () => {
    const { home } = sandbox();
    const help = await dotops(["import", "--help"], { home });
    expect(help.stdout).toContain("dotops import chezmoi ~/.local/share/chezmoi");
    const page = readFileSync(join(ROOT, "docs/reference/commands.md"), "utf8");
    expect(page).toContain("dotops import chezmoi ~/.local/share/chezmoi");
    expect(page).toContain("## dotops apply");
    expect(page).toContain("Aliases: `dotops rebuild`, `dotops switch`");
  });
});
