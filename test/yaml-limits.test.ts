/**
 * Config YAML that costs far more to expand than to write: alias bombs,
 * absurd nesting, huge scalars, huge maps. The GitHub Action runs `check` on
 * pull requests from forks, so each must be refused with file:line:col
 * (exit 2) where it passes the limit, never expanded: the position of the
 * refusal is the proof. How fast is measured by the bench, not asserted here.
 */
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

async function check(files: Record<string, string>) {
  const repo = await ConfigRepo.create(files);
  const { home } = sandbox();
  return dotops(["--repo", repo.dir, "check"], { home });
}

/** `levels` anchors, each a list of nine aliases of the one before: 9^levels strings. */
function laughs(levels: number): string {
  const lines = ["vars:", `  l0: &l0 [${Array(9).fill('"lol"').join(", ")}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\n`;
}

describe("YAML limits, via dotops check", () => {
  it("a 10-level alias bomb is refused at the alias whose expansion passes the limit", async () => {
    const r = await check({ "dotops.yaml": ENTRY + laughs(10) });
    expect(r.exitCode, r.stderr).toBe(2);
    // l1..l3 use 9 + 90 + 819 aliases; the first *l3 in l4 (line 11) passes 1000.
    expect(r.stderr).toMatch(
      /^error: dotops\.yaml:11:12: alias \*l3 takes this file past 1000 alias uses: refused$/m,
    );
    expect(r.stderr).not.toMatch(/This is a bug/);
  }, 60_000);

  it("in an imported file too; a wide anchor used often passes the node limit; many small aliases the count", async () => {
    const bomb = await check({ ...minimalConfig(), "home/vars.yaml": laughs(10) });
    expect(bomb.exitCode, bomb.stderr).toBe(2);
    expect(bomb.stderr).toMatch(
      /^error: home\/vars\.yaml:6:12: alias \*l3 takes this file past 1000 alias uses/m,
    );

    // 1000 strings and their list, 1001 nodes a use: the 10th alias (u9, line 12) passes 10000.
    const wide = `vars:\n  w: &w [${Array(1000).fill("s").join(", ")}]\n${Array.from({ length: 11 }, (_, i) => `  u${i}: *w`).join("\n")}\n`;
    const w = await check({ ...minimalConfig(), "home/vars.yaml": wide });
    expect(w.exitCode, w.stderr).toBe(2);
    expect(w.stderr).toMatch(
      /^error: home\/vars\.yaml:12:7: alias \*w expands past 10000 nodes \(all of this file's aliases together\): refused as an alias bomb/m,
    );

    const many = `vars:\n  v: &v x\n${Array.from({ length: 1500 }, (_, i) => `  k${i}: *v`).join("\n")}\n`;
    const r = await check({ ...minimalConfig(), "home/vars.yaml": many });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^error: home\/vars\.yaml:1003:10: alias \*v takes this file past 1000 alias uses/m,
    );
  }, 60_000);

  it("an alias inside the node it names is refused, not followed forever", async () => {
    const r = await check({ ...minimalConfig(), "home/vars.yaml": "vars:\n  a: &a [x, *a]\n" });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("home/vars.yaml:2:13: alias *a refers to a node that contains it");
  });

  it("aliases within the limits still work", async () => {
    const r = await check({
      ...minimalConfig(),
      "home/vars.yaml": `vars:\n  shell: &sh zsh\n  login: *sh\n${laughs(3).replace("vars:\n", "")}`,
    });
    // l0..l2 are lists, which vars does not take: the config is wrong, but it was expanded and validated.
    expect(r.stderr).not.toMatch(/alias/);
    expect(r.stderr).toMatch(/home\/vars\.yaml:\d+:\d+: /);
  });

  for (const [shape, deep] of [
    ["flow sequences", `vars:\n  deep: ${"[".repeat(1000)}${"]".repeat(1000)}\n`],
    ["flow maps", `vars:\n  deep: ${"{a: ".repeat(1000)}1${"}".repeat(1000)}\n`],
    ["block sequences", `vars:\n  deep:\n    ${"- ".repeat(1000)}x\n`],
    [
      "block maps",
      `vars:\n${Array.from({ length: 1000 }, (_, i) => `${"  ".repeat(i + 1)}a${i}:`).join("\n")} 1\n`,
    ],
  ] as const) {
    it(`1000 levels of nested ${shape} are refused where they pass 64`, async () => {
      const r = await check({ ...minimalConfig(), "home/deep.yaml": deep });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: home\/deep\.yaml:\d+:\d+: nested deeper than 64 levels/m);
      expect(r.stderr).not.toMatch(/Maximum call stack|This is a bug/);
    }, 60_000);
  }

  it("a scalar over 1 MiB is refused where it starts", async () => {
    const big = "x".repeat(1_200_000);
    for (const [style, text] of [
      ["plain", `vars:\n  big: ${big}\n`],
      ["quoted", `vars:\n  big: "${big}"\n`],
      ["block", `vars:\n  big: |\n    ${big}\n`],
    ] as const) {
      const r = await check({ ...minimalConfig(), "home/big.yaml": text });
      expect(r.exitCode, `${style}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        /^error: home\/big\.yaml:2:8: a scalar of 1200\d{3} characters; the limit is 1048576/m,
      );
    }
  }, 60_000);

  it("a file over 4 MiB is refused before parsing", async () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => `  k${i}: value`);
    const r = await check({ ...minimalConfig(), "home/huge.yaml": `vars:\n${lines.join("\n")}\n` });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^error: home\/huge\.yaml:1:1: the file is \d+ characters; config YAML is limited to 4194304/m,
    );
  }, 60_000);

  it("a map of 4999 keys is checked, duplicates still found; one of 5001 entries is refused at the map", async () => {
    // Duplicate keys used to be found by comparing each key with every earlier one (40 s for
    // 60,000 keys); they are found in linear time, and no list or map may pass 5000 entries now.
    const keys = Array.from({ length: 4_999 }, (_, i) => `  k${i}: v`);
    const ok = await check({ ...minimalConfig(), "home/vars.yaml": `vars:\n${keys.join("\n")}\n` });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const dup = await check({
      ...minimalConfig(),
      "home/vars.yaml": `vars:\n${keys.join("\n")}\n  k7: again\n`,
    });
    expect(dup.exitCode).toBe(2);
    expect(dup.stderr).toContain("home/vars.yaml:5001:3: invalid YAML: Map keys must be unique");
    const big = await check({
      ...minimalConfig(),
      "home/vars.yaml": `vars:\n${keys.join("\n")}\n  one: more\n  two: more\n`,
    });
    expect(big.exitCode).toBe(2);
    expect(big.stderr).toMatch(
      /^error: home\/vars\.yaml:2:3: a map of more than 5000 entries: refused \(config is not data\)/m,
    );
  }, 60_000);
});
