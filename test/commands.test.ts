/** Every command through the real CLI, against real git repos and a sandbox HOME. */
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, minimalConfig, sandbox, tempDir } from "./helpers.js";

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

/** A repo with the minimal config and a sandbox HOME; `run` is the CLI pointed at both. */
async function setup(files: Record<string, string> = minimalConfig()) {
  const repo = await ConfigRepo.create(files);
  const { home, state } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stderr}`).toBe(0);
    return r;
  };
  const json = async (...args: string[]) => JSON.parse((await ok("--json", ...args)).stdout);
  const read = (rel: string) => readFileSync(join(home, rel), "utf8");
  return { repo, home, state, run, ok, json, read };
}

/** Every path under `dir` with type, mode, link target and content: to prove nothing changed. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${readFileSync(join(dir, r), "utf8")}`;
    }
  };
  walk("");
  return out;
}

interface GenJson {
  number: number;
  commit: string | null;
  manifestHash: string;
  host: string;
  createdAt: string;
  outcome: string;
  current: boolean;
  sameContentAs: number | null;
  superseded: string[];
}

describe("init", () => {
  it("scaffolds a committed config repo with dotops.yaml and the JSON Schema", async () => {
    const { home } = sandbox();
    const dir = join(tempDir(), "dots");
    const r = await dotops(["init", dir], { home, env: GIT_IDENTITY });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Created a dotops config repo in ${dir} (committed).`);
    expect(readFileSync(join(dir, "dotops.yaml"), "utf8")).toMatch(/^version: 1$/m);
    const schema = JSON.parse(readFileSync(join(dir, ".dotops/schema.json"), "utf8"));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["hosts", "files"]));
    expect(await git(dir, "log", "--format=%s")).toBe("dotops init");
    expect(await git(dir, "status", "--porcelain")).toBe("");
    expect(await git(dir, "ls-files")).toMatch(/^\.dotops\/schema\.json$/m);

    // The scaffold is valid and plannable as it is.
    const check = await dotops(["--repo", dir, "check"], { home });
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^ok: commit [0-9a-f]{12} is valid for 1 host\(s\)/);

    // A second init refuses and leaves the repo alone.
    writeFileSync(join(dir, "dotops.yaml"), "version: 1 # mine\n");
    const again = await dotops(["init", dir], { home, env: GIT_IDENTITY });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`${dir} already holds a dotops.yaml`);
    expect(readFileSync(join(dir, "dotops.yaml"), "utf8")).toBe("version: 1 # mine\n");
    expect(await git(dir, "log", "--format=%s")).toBe("dotops init");
  });
});

describe("check", () => {
  it("validates every host, in text and JSON", async () => {
    const { ok, json, repo } = await setup();
    const text = await ok("check");
    expect(text.stdout).toContain(`ok: commit ${(await repo.head()).slice(0, 12)} is valid for 1 host(s)`);
    // two links + their parent dirs ~/.config and ~/.config/app
    expect(text.stdout).toContain("  box (linux): 4 resources");
    const j = await json("check");
    expect(j).toMatchObject({ ok: true, hosts: [{ host: "box", platform: "linux", resources: 4 }] });
    expect(j.hosts[0].manifestHash).toMatch(HEX64);
  });

  it("says it checked HEAD when the work tree has the fix uncommitted", async () => {
    const files = minimalConfig();
    const { run, ok, repo } = await setup({
      ...files,
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, mode: cpy }\n",
    });
    writeFileSync(join(repo.dir, "home/files.yaml"), files["home/files.yaml"] as string);
    const r = await run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/home\/files\.yaml:2:\d+: .*mode/);
    expect(r.stderr).toContain(
      "hint: this checked HEAD; your work tree has uncommitted changes (home/files.yaml): commit them, or check them with --worktree",
    );
    await ok("check", "--worktree");
    await git(repo.dir, "checkout", "--", "home/files.yaml"); // clean: the error alone
    expect((await run("check")).stderr).not.toContain("hint:");
  });
});

describe("plan", () => {
  it("shows creations in text, JSON (SPEC §3) and markdown without touching HOME", async () => {
    const { ok, json, run, home, repo } = await setup();
    const text = (await ok("plan")).stdout;
    expect(text).toMatch(/^box: nothing applied yet → [0-9a-f]{7}$/m);
    expect(text).toContain("  + link ~/.zshrc");
    // A created file is one line; its content only with --diff.
    expect(text).not.toContain("+export EDITOR=nvim");
    expect((await ok("plan", "--diff")).stdout).toContain("      +export EDITOR=nvim");
    expect(text).toContain("  + dir ~/.config/app");
    expect(text).toMatch(/^Plan: 4 to create, 0 to update, 0 to delete\.$/m);

    const p = await json("plan");
    expect(Object.keys(p)).toEqual(["host", "from", "to", "rollbackTo", "changes", "summary"]);
    expect(p).toMatchObject({ host: "box", from: null, rollbackTo: null });
    expect(p.to.commit).toBe(await repo.head());
    expect(p.to.manifestHash).toMatch(HEX64);
    expect(p.summary).toEqual({ create: 4, update: 0, delete: 0, destructive: 0 });
    expect(
      p.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`),
    ).toEqual([
      "create dir ~/.config",
      "create dir ~/.config/app",
      "create link ~/.config/app/conf",
      "create link ~/.zshrc",
    ]);
    for (const c of p.changes) {
      expect(c).toMatchObject({ destructive: false, needsRoot: false });
      expect(Object.keys(c).slice(0, 5)).toEqual(["action", "kind", "id", "destructive", "needsRoot"]);
    }
    const zshrc = p.changes.find((c: { id: string }) => c.id === "~/.zshrc");
    expect(zshrc.diff).toContain("+export EDITOR=nvim");
    expect(zshrc.origin).toBe("home/files.yaml:2:5");

    const md = (await ok("plan", "--markdown")).stdout;
    expect(md).toMatch(/^#### box: nothing applied yet → [0-9a-f]{7}$/m);
    expect(md).toContain("**Plan: 4 to create, 0 to update, 0 to delete.**");
    expect(md).toContain("| + create | link | `~/.zshrc` | `home/files.yaml:2:5` |");
    expect(md).not.toContain("```diff");
    expect((await ok("plan", "--markdown", "--diff")).stdout).toContain("```diff");

    // Planning changed nothing, not even the state dir.
    expect(tree(home)).toEqual({});

    const pending = await run("plan", "--detailed-exitcode");
    expect(pending.exitCode).toBe(3);
    await ok("apply");
    const clean = await run("plan", "--detailed-exitcode");
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^box: generation 1 \([0-9a-f]{7}\) → [0-9a-f]{7}$/m);
    expect(clean.stdout).toContain("No changes. The machine matches the configuration.");
    expect(await json("plan")).toMatchObject({
      changes: [],
      from: { generation: 1, commit: await repo.head() },
    });
  });

  it("--from/--to plans between two commits and ignores the machine", async () => {
    const { ok, json, home, state, repo } = await setup();
    const c1 = await repo.head();
    const c2 = await repo.commit({
      "files/zshrc": "export EDITOR=vim\n",
      "home/files.yaml":
        'files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.vimrc, text: "set nu\\n" }\n',
    });
    const before = tree(home);
    const p = await json("plan", "--from", c1, "--to", c2);
    expect(p.from).toEqual({ generation: null, commit: c1 }); // a commit, no generation
    expect(p.to.commit).toBe(c2);
    expect(
      p.changes.map((c: { action: string; kind: string; id: string }) => `${c.action} ${c.kind} ${c.id}`),
    ).toEqual([
      "create link ~/.vimrc",
      "update link ~/.zshrc",
      "delete link ~/.config/app/conf",
      "delete dir ~/.config/app",
      "delete dir ~/.config",
    ]);
    expect(p.summary).toEqual({ create: 1, update: 1, delete: 3, destructive: 0 });
    expect(tree(home)).toEqual(before);

    // Same answer whatever the machine holds: apply c2 and plan the PR again.
    await ok("apply");
    expect(readFileSync(join(home, ".vimrc"), "utf8")).toBe("set nu\n");
    const again = await json("plan", "--from", c1, "--to", c2);
    expect(again.changes).toEqual(p.changes);
    expect(readdirSync(join(state, "generations"))).toEqual(["1"]);

    const text = (await ok("plan", "--from", c1, "--to", c2)).stdout;
    expect(text).toContain(`commit ${c1.slice(0, 7)} → ${c2.slice(0, 7)}`); // a commit, not "generation 0"
    expect(text).toContain("  ~ link ~/.zshrc");
    expect(text).toContain("      -export EDITOR=nvim");
    expect(text).toContain("      +export EDITOR=vim");
  });
});

describe("apply", () => {
  it("records a generation, then is a no-op that records nothing", async () => {
    const { ok, state, home, read, repo } = await setup();
    const r = await ok("apply");
    expect(r.stdout).toContain("Applied generation 1. Plan: 4 to create, 0 to update, 0 to delete.");
    expect(read(".zshrc")).toBe("export EDITOR=nvim\n");
    expect(read(".config/app/conf")).toBe("color = true\n");
    expect(readlinkSync(join(home, ".config/app/conf"))).toBe(join(state, "current/home/.config/app/conf"));
    expect(readlinkSync(join(state, "current"))).toBe(join(state, "generations/1"));
    expect(readdirSync(join(state, "generations/1"))).toEqual([
      "built-from.json",
      "git-blobs.json",
      "home",
      "manifest.json",
      "meta.json",
      "objects.json",
      "plan.json",
      "timings.json",
    ]);
    const meta = JSON.parse(readFileSync(join(state, "generations/1/meta.json"), "utf8"));
    expect(meta).toMatchObject({ number: 1, commit: await repo.head(), outcome: "applied", host: "box" });
    expect(statSync(state).mode & 0o777).toBe(0o700);

    const again = await ok("apply");
    expect(again.stdout).toBe("No changes: generation 1 is current and the machine matches it.");
    expect(readdirSync(join(state, "generations"))).toEqual(["1"]);
  });

  it("--dry-run lists the operations and changes nothing on disk", async () => {
    const { ok, home, state, repo } = await setup();
    await ok("apply");
    await repo.commit({ "files/zshrc": "export EDITOR=vim\n", "files/extra": "x\n" }, "more");
    await repo.commit({
      "home/files.yaml":
        'files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.config/app/conf, source: files/app.conf }\n  - { target: ~/.local/bin/x, source: files/extra, mode: copy, permissions: "0755" }\n',
    });
    const before = tree(home);
    const brief = await ok("apply", "--dry-run");
    expect(brief.stdout).toMatch(
      /^Dry run: \d+ operations would be performed \(nothing was changed\); -v lists them\.$/m,
    );
    expect(brief.stdout).not.toContain(`  write ${home}/.local/bin/x`);
    const r = await ok("-v", "apply", "--dry-run");
    expect(r.stdout).toContain("  ~ link ~/.zshrc");
    expect(r.stdout).toContain("  + file ~/.local/bin/x");
    expect(r.stdout).toMatch(/^Dry run: \d+ operations would be performed \(nothing was changed\):$/m);
    expect(r.stdout).toContain(`  write ${home}/.local/bin/x 2 bytes, mode 755`);
    expect(r.stdout).toContain(`  rename ${state}/current.dotops-new ${state}/current`);
    expect(tree(home)).toEqual(before);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");

    const j = JSON.parse((await ok("--json", "apply", "--dry-run")).stdout);
    expect(j).toMatchObject({ dryRun: true, outcome: "dry-run", generation: 2 });
    expect(j.operations).toContainEqual({
      op: "write",
      path: `${home}/.local/bin/x`,
      detail: "2 bytes, mode 755",
    });
    expect(tree(home)).toEqual(before);
  });

  it("--json reports the generation, phases and plan", async () => {
    const { json } = await setup();
    const j = await json("apply");
    expect(j).toMatchObject({
      generation: 1,
      created: true,
      noop: false,
      dryRun: false,
      outcome: "applied",
      storeObjectsWritten: 2,
    });
    expect(Object.keys(j.phases)).toEqual(
      expect.arrayContaining(["source", "config", "modules", "plan", "build", "apply"]),
    );
    expect(j.plan.summary).toEqual({ create: 4, update: 0, delete: 0, destructive: 0 });
    expect(await json("apply")).toMatchObject({
      generation: 1,
      created: false,
      noop: true,
      outcome: "unchanged",
    });
  });
});

describe("generations", () => {
  it("lists generations in text and with the SPEC §3 JSON fields", async () => {
    const { ok, json, run, repo } = await setup();
    expect((await ok("generations")).stdout).toBe("No generations yet: run `dotops apply`.");
    expect(await json("generations")).toEqual([]);

    const c1 = await repo.head();
    await ok("apply");
    const c2 = await repo.commit({ "files/zshrc": "export EDITOR=vim\n" });
    await ok("apply");
    const c3 = await repo.revert();
    await ok("apply");

    const gens: GenJson[] = await json("generations");
    for (const g of gens) {
      expect(Object.keys(g).sort()).toEqual(
        [
          "commit",
          "createdAt",
          "current",
          "host",
          "manifestHash",
          "number",
          "outcome",
          "sameContentAs",
          "superseded",
        ].sort(),
      );
      expect(g.manifestHash).toMatch(HEX64);
      expect(g.commit).toMatch(HEX40);
      expect(new Date(g.createdAt).toISOString()).toBe(g.createdAt);
      expect(g).toMatchObject({ host: "box", outcome: "applied", superseded: [] });
    }
    expect(gens.map((g) => [g.number, g.commit, g.current, g.sameContentAs])).toEqual([
      [1, c1, false, null],
      [2, c2, false, null],
      [3, c3, true, 1],
    ]);
    expect(gens[2]?.manifestHash).toBe(gens[0]?.manifestHash);
    expect(gens[1]?.manifestHash).not.toBe(gens[0]?.manifestHash);

    const text = (await run("generations")).stdout.trimEnd().split("\n");
    expect(text).toHaveLength(3);
    expect(text[0]).toMatch(
      new RegExp(
        `^   1  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ${c1.slice(0, 7)}  applied     \\+4 ~0 -0$`,
      ),
    );
    expect(text[1]).toMatch(new RegExp(`^   2  .*  ${c2.slice(0, 7)}  applied     \\+0 ~1 -0$`));
    expect(text[2]).toMatch(
      new RegExp(`^   3  .*  ${c3.slice(0, 7)}  applied     \\+0 ~1 -0 = gen 1  \\(current\\)$`),
    );
  });
});

describe("diff", () => {
  it("shows what changed between two generations", async () => {
    const { ok, json, run, repo } = await setup();
    await ok("apply");
    await repo.commit({
      "files/zshrc": "export EDITOR=vim\n",
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
    });
    await ok("apply");

    const text = (await ok("diff", "1", "2")).stdout;
    expect(text).toContain("  ~ link ~/.zshrc");
    expect(text).toContain("      -export EDITOR=nvim");
    expect(text).toContain("      +export EDITOR=vim");
    expect(text).toContain("  - link ~/.config/app/conf");
    expect(text).toMatch(/^generation 1 → 2: 0 created, 1 updated, 3 deleted\.$/m);

    const j = await json("diff", "2", "1");
    expect(j.from).toBe(2);
    expect(j.to).toBe(1);
    expect(j.summary).toEqual({ create: 3, update: 1, delete: 0, destructive: 0 });
    expect(j.changes.map((c: { action: string; id: string }) => `${c.action} ${c.id}`)).toEqual([
      "create ~/.config",
      "create ~/.config/app",
      "create ~/.config/app/conf",
      "update ~/.zshrc",
    ]);

    expect((await ok("diff", "2", "2")).stdout).toBe("No differences.");
    const bad = await run("diff", "1", "two");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"two" is not a generation number');
    const missing = await run("diff", "1", "9");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("there is no generation 9");
  });
});

describe("rollback", () => {
  it("switches to the previous generation by default, or to generation N", async () => {
    const { ok, json, run, read, home, repo } = await setup();
    await ok("apply");
    await repo.commit({
      "files/zshrc": "export EDITOR=vim\n",
      "files/app.conf": null,
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
    });
    await ok("apply");
    expect(read(".zshrc")).toBe("export EDITOR=vim\n");
    expect(existsSync(join(home, ".config"))).toBe(false);

    const back = await ok("rollback");
    expect(back.stdout).toMatch(/^Generation 1 is current\./m);
    expect(read(".zshrc")).toBe("export EDITOR=nvim\n");
    expect(read(".config/app/conf")).toBe("color = true\n");
    expect((await json("generations")).map((g: GenJson) => [g.number, g.current, g.outcome])).toEqual([
      [1, true, "applied"],
      [2, false, "applied"],
    ]);

    await ok("rollback", "2");
    expect(read(".zshrc")).toBe("export EDITOR=vim\n");
    expect(existsSync(join(home, ".config"))).toBe(false);
    expect((await json("generations")).find((g: GenJson) => g.current).number).toBe(2);

    const none = await run("rollback", "99");
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain("there is no generation 99");
    expect(read(".zshrc")).toBe("export EDITOR=vim\n");
    expect((await run("rollback", "x")).exitCode).toBe(2);
  });

  it("a managed copy that becomes a link (and back) switches without a conflict", async () => {
    const { ok, run, read, home, state, repo } = await setup(
      minimalConfig({
        "home/files.yaml": "files:\n  - { target: ~/.tmux.conf, source: files/tmux.conf, mode: copy }\n",
        "files/tmux.conf": "one\n",
      }),
    );
    await ok("apply");
    expect(lstatSync(join(home, ".tmux.conf")).isFile()).toBe(true);
    await repo.commit({
      "home/files.yaml": "files:\n  - { target: ~/.tmux.conf, source: files/tmux.conf }\n",
      "files/tmux.conf": "two\n",
    });
    await ok("apply");
    expect(readlinkSync(join(home, ".tmux.conf"))).toBe(join(state, "current/home/.tmux.conf"));
    expect(read(".tmux.conf")).toBe("two\n");

    await ok("rollback");
    expect(lstatSync(join(home, ".tmux.conf")).isFile()).toBe(true);
    expect(read(".tmux.conf")).toBe("one\n");
    await ok("rollback", "2");
    expect(lstatSync(join(home, ".tmux.conf")).isSymbolicLink()).toBe(true);
    expect(read(".tmux.conf")).toBe("two\n");

    // A user's edit to the copy is still protected when it would become a link.
    await ok("rollback", "1");
    writeFileSync(join(home, ".tmux.conf"), "mine\n");
    const refused = await run("rollback", "2");
    expect(refused.exitCode).toBe(4);
    expect(read(".tmux.conf")).toBe("mine\n");
  });
});

describe("gc", () => {
  /** Three generations with different .zshrc content; returns the store objects per generation. */
  async function threeGenerations() {
    const s = await setup();
    await s.ok("apply");
    await s.repo.commit({ "files/zshrc": "export EDITOR=vim\n" });
    await s.ok("apply");
    await s.repo.commit({ "files/zshrc": "export EDITOR=emacs\n" });
    await s.ok("apply");
    const objects = (n: number) =>
      (
        JSON.parse(readFileSync(join(s.state, `generations/${n}/manifest.json`), "utf8")).resources as {
          object?: string;
        }[]
      )
        .flatMap((r) => (r.object ? [r.object] : []))
        .sort();
    const store = () => readdirSync(join(s.state, "store")).sort();
    const gens = () => readdirSync(join(s.state, "generations")).sort();
    return { ...s, objects, store, gens };
  }

  it("--dry-run deletes nothing; --keep 1 deletes old generations and their store objects", async () => {
    const s = await threeGenerations();
    const zshrc = (n: number) => s.objects(n).find((o) => o.endsWith("-zshrc")) as string;
    expect(new Set([zshrc(1), zshrc(2), zshrc(3)]).size).toBe(3);
    expect(s.store()).toHaveLength(4); // three .zshrc versions + app.conf
    const storeBefore = s.store();

    const dry = await s.json("gc", "--keep", "1", "--dry-run");
    expect(dry).toEqual({
      deletedGenerations: [1, 2],
      deletedObjects: [zshrc(1), zshrc(2)].sort(),
      deletedTrash: [],
      keptGenerations: [3],
      collected: [],
      dryRun: true,
      freedBytes: expect.any(Number),
      corrupt: [],
    });
    expect(dry.freedBytes).toBeGreaterThan(0);
    expect(s.gens()).toEqual(["1", "2", "3"]);
    expect(s.store()).toEqual(storeBefore);
    const bytes = `${(dry.freedBytes / 1024).toFixed(1)} KiB`;
    expect((await s.ok("gc", "--keep", "1", "--dry-run")).stdout).toBe(
      [
        "  generation 1",
        "  generation 2",
        ...[zshrc(1), zshrc(2)].sort().map((o) => `  store/${o}`),
        `Would delete 2 generation(s) (1, 2) and 2 store object(s): ${bytes} would be freed; 1 generation(s) kept.`,
      ].join("\n"),
    );

    const r = await s.ok("gc", "--keep", "1");
    expect(r.stdout).toBe(
      `Deleted 2 generation(s) (1, 2) and 2 store object(s): ${bytes} freed; 1 generation(s) kept.`,
    );
    expect(s.gens()).toEqual(["3"]);
    expect(s.store()).toEqual(s.objects(3));
    expect(s.read(".zshrc")).toBe("export EDITOR=emacs\n");
    expect((await s.json("generations")).map((g: GenJson) => g.number)).toEqual([3]);
    expect((await s.json("status")).drift).toEqual([]);

    // Nothing left to collect.
    expect(await s.json("gc")).toMatchObject({
      deletedGenerations: [],
      deletedObjects: [],
      keptGenerations: [3],
    });
  });

  it("never deletes the current generation, even with --keep 0", async () => {
    const s = await threeGenerations();
    await s.ok("rollback", "2");
    const r = await s.json("gc", "--keep", "0");
    expect(r).toMatchObject({ deletedGenerations: [1, 3], keptGenerations: [2] });
    expect(s.gens()).toEqual(["2"]);
    expect(s.store()).toEqual(s.objects(2));
    expect(s.read(".zshrc")).toBe("export EDITOR=vim\n");
  });

  it("--keep N with N at or above the number of generations deletes none of them", async () => {
    const s = await threeGenerations();
    for (const keep of ["3", "4", "5", "1000"]) {
      expect(await s.json("gc", "--keep", keep, "--dry-run"), `--keep ${keep}`).toMatchObject({
        deletedGenerations: [],
        keptGenerations: [1, 2, 3],
      });
    }
    expect((await s.ok("gc", "--keep", "5")).stdout).toBe(
      "Deleted 0 generation(s) and 0 store object(s): 0 B freed; 3 generation(s) kept.",
    );
    expect(s.gens()).toEqual(["1", "2", "3"]);
    // One below the count: only the oldest goes.
    expect(await s.json("gc", "--keep", "2", "--dry-run")).toMatchObject({
      deletedGenerations: [1],
      keptGenerations: [2, 3],
    });
    // --keep 0 keeps only the current generation (here the newest).
    expect(await s.json("gc", "--keep", "0", "--dry-run")).toMatchObject({
      deletedGenerations: [1, 2],
      keptGenerations: [3],
    });
  });

  it("--older-than deletes only generations past that age; unreferenced objects go without limits", async () => {
    const s = await threeGenerations();
    const metaPath = join(s.state, "generations/1/meta.json");
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    writeFileSync(metaPath, JSON.stringify({ ...meta, createdAt: "2020-01-01T00:00:00.000Z" }));
    const r = await s.json("gc", "--older-than", "30d");
    expect(r).toMatchObject({ deletedGenerations: [1], keptGenerations: [2, 3] });
    expect(s.gens()).toEqual(["2", "3"]);

    // A stray object nothing references is swept by a plain gc.
    const stray = `${"0".repeat(64)}-stray`;
    writeFileSync(join(s.state, "store", stray), "x");
    expect(await s.json("gc")).toMatchObject({ deletedGenerations: [], deletedObjects: [stray] });
    expect(existsSync(join(s.state, "store", stray))).toBe(false);
    expect(s.gens()).toEqual(["2", "3"]);

    for (const bad of [
      ["--keep", "many"],
      ["--older-than", "5 weeks"],
    ]) {
      const b = await s.run("gc", ...bad);
      expect(b.exitCode, bad.join(" ")).toBe(2);
    }
    expect(s.gens()).toEqual(["2", "3"]);
  });
});

describe("status", () => {
  it("reports no drift, then a deleted link and an edited copy", async () => {
    const { ok, run, json, home, repo } = await setup(
      minimalConfig({
        "home/files.yaml":
          'files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.ssh/config, source: files/ssh, mode: copy, permissions: "0600" }\n',
        "files/ssh": "Host *\n",
      }),
    );
    expect((await ok("status")).stdout).toBe("Nothing applied yet: run `dotops apply`.");
    await ok("apply");
    const clean = await ok("status", "--detailed-exitcode");
    expect(clean.stdout).toMatch(
      new RegExp(
        `^Generation 1 \\(applied\\) of commit ${(await repo.head()).slice(0, 12)}, host box, applied `,
      ),
    );
    expect(clean.stdout).toContain("No drift: the machine matches the generation.");

    unlinkSync(join(home, ".zshrc"));
    writeFileSync(join(home, ".ssh/config"), "Host * # mine\n");
    const drift = await run("status", "--detailed-exitcode");
    expect(drift.exitCode).toBe(3);
    expect(drift.stdout).toContain("Drift: 2 resource(s) differ from generation 1:");
    expect(drift.stdout).toContain("  create link ~/.zshrc (was removed outside dotops)");
    expect(drift.stdout).toMatch(/^ {2}update file ~\/\.ssh\/config \(changed outside dotops\)/m);
    expect((await run("status")).exitCode).toBe(0);
    const j = await json("status");
    expect(j.generation).toMatchObject({ number: 1, outcome: "applied" });
    expect(
      j.drift.map((d: { action: string; kind: string; id: string }) => `${d.action} ${d.kind} ${d.id}`),
    ).toEqual(["update file ~/.ssh/config", "create link ~/.zshrc"]);
    // status only looks
    expect(existsSync(join(home, ".zshrc"))).toBe(false);
    expect(readFileSync(join(home, ".ssh/config"), "utf8")).toBe("Host * # mine\n");

    // The deleted link alone is repaired in place by apply, without a new generation.
    writeFileSync(join(home, ".ssh/config"), "Host *\n");
    chmodSync(join(home, ".ssh/config"), 0o600);
    const repaired = await ok("apply");
    expect(repaired.stdout).toContain("Repaired drift; generation 1 is current.");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect((await json("generations")).map((g: GenJson) => g.number)).toEqual([1]);
    expect((await run("status", "--detailed-exitcode")).exitCode).toBe(0);
  });
});

describe("copy-mode conflicts", () => {
  it("refuses to overwrite a user's edit of a managed copy (exit 4); --backup keeps it aside", async () => {
    const { ok, run, json, home, repo } = await setup(
      minimalConfig({
        "home/files.yaml":
          'files:\n  - { target: ~/.ssh/config, source: files/ssh, mode: copy, permissions: "0600" }\n',
        "files/ssh": "Host a\n",
      }),
    );
    await ok("apply");
    const path = join(home, ".ssh/config");
    writeFileSync(path, "Host a\n# my edit\n");
    await repo.commit({ "files/ssh": "Host b\n" });

    const refused = await run("apply");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("refusing to apply: 1 path(s) in the way");
    expect(refused.stderr).toContain("~/.ssh/config was changed outside dotops since it was applied");
    expect(refused.stderr).toContain("--backup");
    expect(readFileSync(path, "utf8")).toBe("Host a\n# my edit\n");
    expect(existsSync(`${path}.dotops-backup`)).toBe(false);
    expect((await json("generations")).map((g: GenJson) => g.number)).toEqual([1]);

    const plan = await json("plan");
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: "update", kind: "file", id: "~/.ssh/config" });
    expect(plan.changes[0].refusal).toMatch(/--backup/);

    const backed = await run("apply", "--backup");
    expect(backed.exitCode, backed.stderr).toBe(0);
    expect(readFileSync(path, "utf8")).toBe("Host b\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${path}.dotops-backup`, "utf8")).toBe("Host a\n# my edit\n");
    expect((await json("generations")).map((g: GenJson) => [g.number, g.current])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});

describe("schema", () => {
  it("prints the JSON Schema of dotops.yaml", async () => {
    const { home } = sandbox();
    const r = await dotops(["schema"], { home });
    expect(r.exitCode).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.type).toBe("object");
    expect(schema.properties).toHaveProperty("files");
    expect(schema.properties).toHaveProperty("hosts");
    expect(schema.properties.hosts.type).toBe("object");
  });
});

describe("usage", () => {
  const COMMANDS = [
    "init",
    "check",
    "plan",
    "apply",
    "generations",
    "diff",
    "rollback",
    "gc",
    "status",
    "perf",
    "schema",
  ];

  it.each(COMMANDS)("%s --help exits 0 with its usage", async (cmd) => {
    const { home } = sandbox();
    const r = await dotops([cmd, "--help"], { home });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: dotops ${cmd}[| ]`));
  });

  it("top-level --help and --version exit 0", async () => {
    const { home } = sandbox();
    const help = await dotops(["--help"], { home });
    expect(help.exitCode).toBe(0);
    for (const cmd of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^ {2}${cmd}\\b`, "m"));
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const v = await dotops([flag], { home });
      expect(v.exitCode).toBe(0);
      expect(v.stdout).toBe(pkg.version);
    }
  });

  it("an unknown command or option exits 2", async () => {
    const { home } = sandbox();
    const cmd = await dotops(["frobnicate"], { home });
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toContain("unknown command 'frobnicate'");
    const opt = await dotops(["plan", "--no-such-flag"], { home });
    expect(opt.exitCode).toBe(2);
    expect(opt.stderr).toContain("unknown option '--no-such-flag'");
    const global = await dotops(["--frob", "status"], { home });
    expect(global.exitCode).toBe(2);
  });

  it("a command that needs a repo outside one exits 2 and says how to get one", async () => {
    const { home } = sandbox();
    const r = await dotops(["plan"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("no config repo");
    expect(existsSync(join(home, ".local"))).toBe(false);
  });
});
