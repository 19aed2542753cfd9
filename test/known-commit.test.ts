import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, moduleTrace, sandbox } from "./helpers.js";

/*
 * An apply of a commit the current generation is known to be built from reads
 * no config (src/engine/built-from.ts): shown by what the process loads and
 * the phases it reports, and by what it must still catch or build.
 */

/** The config loader, the modules, the importers and the libraries only they use. */
const CONFIG_CODE =
  /^node_modules\/(zod|yaml|liquidjs|@xmldom|plist|ignore|smol-toml)\/|^src\/(config\/(load|schema|template|yaml|kit)\.ts|modules\/(manifest|files|dev-env|programs\/)|migrate\/(?!index\.ts))/;

interface Applied {
  outcome: string;
  generation: number;
  created: boolean;
  phases: Record<string, number>;
}

async function apply(
  repo: ConfigRepo,
  home: string,
  opts: { nodeArgs?: string[]; env?: Record<string, string> } = {},
) {
  const r = await dotops(["--repo", repo.dir, "--json", "apply"], { home, ...opts });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Applied;
}

describe("an apply of the commit the current generation was built from", () => {
  it("loads no config code (nor does status) and takes the full path when the machine drifted", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    expect((await apply(repo, home)).outcome).toBe("applied");

    const trace = moduleTrace();
    const again = await apply(repo, home, { nodeArgs: trace.args });
    expect(again).toMatchObject({ outcome: "unchanged", generation: 1, created: false });
    expect(Object.keys(again.phases).sort()).toEqual(["plan", "source"]);
    expect((await dotops(["status"], { home, nodeArgs: trace.args })).exitCode).toBe(0);
    const loaded = trace.sources();
    expect(loaded).toContain("src/engine/built-from.ts");
    expect(loaded.filter((m) => CONFIG_CODE.test(m))).toEqual([]);

    // A file removed by hand: the known commit is not enough, the config is built and HOME repaired.
    rmSync(join(home, ".zshrc"));
    const repaired = await apply(repo, home);
    expect(repaired).toMatchObject({ outcome: "applied", generation: 1, created: false });
    expect(repaired.phases.config).toBeGreaterThan(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
  });

  it("learns a commit that builds the same manifest (a README edit): the apply after it reads no config", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    await apply(repo, home);
    await repo.commit({ "README.md": "my dotfiles\n" }, "docs");
    const first = await apply(repo, home);
    expect(first).toMatchObject({ outcome: "unchanged", generation: 1 });
    expect(first.phases.config).toBeGreaterThan(0);
    const second = await apply(repo, home);
    expect(second.outcome).toBe("unchanged");
    expect(second.phases.config).toBeUndefined();
    // A commit that changes a file is built, of course.
    await repo.commit({ "files/zshrc": "export EDITOR=hx\n" });
    expect(await apply(repo, home)).toMatchObject({ outcome: "applied", generation: 2, created: true });
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=hx\n");
  });

  it("builds every time a config that asks the machine something (a template reading the environment)", async () => {
    const repo = await ConfigRepo.create(
      minimalConfig({
        "home/files.yaml": `${minimalConfig()["home/files.yaml"]}  - { target: ~/.editor, text: '{{ "DOTOPS_TEST_EDITOR" | env }}', mode: template }\n`,
      }),
    );
    const { home } = sandbox();
    await apply(repo, home, { env: { DOTOPS_TEST_EDITOR: "vim" } });
    const same = await apply(repo, home, { env: { DOTOPS_TEST_EDITOR: "vim" } });
    expect(same.outcome).toBe("unchanged");
    expect(same.phases.config).toBeGreaterThan(0);
    // Same commit, another value: a new generation with it, not a skipped apply.
    const changed = await apply(repo, home, { env: { DOTOPS_TEST_EDITOR: "emacs" } });
    expect(changed).toMatchObject({ outcome: "applied", generation: 2 });
    expect(readFileSync(join(home, ".editor"), "utf8")).toBe("emacs");
  });

  it("treats its caches as caches: a corrupt built-from.json or git-blobs.json costs a full build, nothing else", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    await apply(repo, home);
    writeFileSync(join(state, "current/built-from.json"), "{not json");
    writeFileSync(join(state, "current/git-blobs.json"), "[1, 2");
    const rebuilt = await apply(repo, home);
    expect(rebuilt).toMatchObject({ outcome: "unchanged", generation: 1 });
    expect(rebuilt.phases.config).toBeGreaterThan(0);
    // The key is written back, so the apply after it is quick again.
    expect((await apply(repo, home)).phases.config).toBeUndefined();
    await repo.commit({ "files/zshrc": "export EDITOR=hx\n" });
    expect(await apply(repo, home)).toMatchObject({ outcome: "applied", generation: 2 });
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=hx\n");
  });
});
