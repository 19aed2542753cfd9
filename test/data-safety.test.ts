/**
 * Regression tests for the data-safety defects of issue 9: each shape was met
 * on real dotfiles repos or in review, and each test failed before its fix.
 */
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ConfigRepo, dotops, git, sandbox } from "./helpers.js";

const entry = (files: string) =>
  `version: 1\nhosts:\n  box: { platform: linux }\nfiles:\n${files
    .split("\n")
    .filter(Boolean)
    .map((l) => `  - ${l}`)
    .join("\n")}\n`;

async function setup(files: Record<string, string>) {
  const repo = await ConfigRepo.create(files);
  const { home, state } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const json = async (...args: string[]) => JSON.parse((await ok("--json", ...args)).stdout);
  return { repo, home, state, run, ok, json };
}

const kindOf = (path: string) => {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st ? (st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : "file") : "none";
};

describe("a target that changes between file and directory (defect 1)", () => {
  const asFile = entry("{ target: ~/.x, source: f/a }");
  const asDir = entry("{ target: ~/.x/y, source: f/a }\n{ target: ~/.x/sub/z, source: f/a }");

  it("file → directory → file, by apply, rollback and git revert, in one transaction each", async () => {
    const { repo, home, ok, json } = await setup({ "dotops.yaml": asFile, "f/a": "a\n" });
    await ok("apply");
    expect(kindOf(join(home, ".x"))).toBe("link");

    await repo.commit({ "dotops.yaml": asDir });
    const toDir = await ok("apply");
    expect(toDir.stdout).toContain("~ dir ~/.x (a file becomes a directory)");
    expect(kindOf(join(home, ".x"))).toBe("dir");
    expect(readFileSync(join(home, ".x/y"), "utf8")).toBe("a\n");
    expect(readFileSync(join(home, ".x/sub/z"), "utf8")).toBe("a\n");

    const back = await ok("rollback", "1");
    expect(back.stdout).toContain("~ link ~/.x (a directory becomes a file)");
    expect(kindOf(join(home, ".x"))).toBe("link");
    expect(readFileSync(join(home, ".x"), "utf8")).toBe("a\n");
    await ok("resume");

    await ok("apply");
    expect(kindOf(join(home, ".x"))).toBe("dir");
    await repo.revert();
    await ok("apply");
    expect(readFileSync(join(home, ".x"), "utf8")).toBe("a\n");
    const gens = await json("generations");
    expect(gens.at(-1)).toMatchObject({ outcome: "applied", sameContentAs: 1, current: true });
    expect(readdirSync(home).filter((n) => n.includes("dotops-backup"))).toEqual([]);
  });

  it("a copy (mode: copy) becomes a directory, and back", async () => {
    const copy = entry("{ target: ~/.x, source: f/a, mode: copy }");
    const { repo, home, ok } = await setup({ "dotops.yaml": copy, "f/a": "a\n" });
    await ok("apply");
    expect(kindOf(join(home, ".x"))).toBe("file");
    await repo.commit({ "dotops.yaml": asDir });
    await ok("apply");
    expect(kindOf(join(home, ".x"))).toBe("dir");
    await repo.revert();
    await ok("apply");
    expect(kindOf(join(home, ".x"))).toBe("file");
    expect(readFileSync(join(home, ".x"), "utf8")).toBe("a\n");
  });

  it("a directory that still holds the user's files: refused, --backup keeps them, --allow-destructive trashes them", async () => {
    const { repo, home, state, run, ok } = await setup({ "dotops.yaml": asDir, "f/a": "a\n" });
    await ok("apply");
    writeFileSync(join(home, ".x/sub/mine"), "user data\n");
    await repo.commit({ "dotops.yaml": asFile });

    const refused = await run("apply");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("refusing 1 destructive step(s)");
    expect(refused.stderr).toContain(".x/sub/mine");
    expect(readFileSync(join(home, ".x/sub/mine"), "utf8")).toBe("user data\n");
    expect(kindOf(join(home, ".x/y"))).toBe("link"); // nothing was changed

    const trashed = await ok("apply", "--allow-destructive");
    expect(trashed.stdout).toContain("[destructive]");
    expect(readFileSync(join(home, ".x"), "utf8")).toBe("a\n");
    const trash = join(state, "trash");
    const [run1] = readdirSync(trash);
    expect(readFileSync(join(trash, run1 as string, ".x/sub/mine"), "utf8")).toBe("user data\n");

    // Back to the directory, a file of the user's in it again, and --backup this time.
    await repo.revert();
    await ok("apply");
    writeFileSync(join(home, ".x/mine"), "more\n");
    await repo.revert();
    await ok("apply", "--backup");
    expect(readFileSync(join(home, ".x.dotops-backup/mine"), "utf8")).toBe("more\n");
    expect(readFileSync(join(home, ".x"), "utf8")).toBe("a\n");
  });

  it("a directory no longer needed keeps the user's files and says so", async () => {
    const { repo, home, ok } = await setup({
      "dotops.yaml": entry("{ target: ~/.config/app/conf, source: f/a }"),
      "f/a": "a\n",
    });
    await ok("apply");
    writeFileSync(join(home, ".config/app/cache"), "x");
    await repo.commit({ "dotops.yaml": entry("{ target: ~/.other, source: f/a }") });
    const r = await ok("apply");
    expect(r.stdout).toContain(
      "- dir ~/.config/app (kept: it holds files dotops does not manage (.config/app/cache))",
    );
    expect(readFileSync(join(home, ".config/app/cache"), "utf8")).toBe("x");
    expect(existsSync(join(home, ".config/app/conf"))).toBe(false);
  });
});

describe("a store object changed by writing through its link (defect 2)", () => {
  it("is drift naming the file, and apply and a revert restore the content from Git", async () => {
    const { repo, home, state, run, ok, json } = await setup({
      "dotops.yaml": entry("{ target: ~/.rc, source: f/rc }"),
      "f/rc": "one\n",
    });
    await ok("apply");
    // What an installer running as root does: append through the link (the object is read-only).
    const object = readlinkSync(join(state, "current/home/.rc"));
    chmodSync(object, 0o644);
    appendFileSync(join(home, ".rc"), "installer was here\n");

    const st = await json("status");
    expect(st.drift).toHaveLength(1);
    expect(st.drift[0]).toMatchObject({ kind: "link", id: "~/.rc", action: "update" });
    expect(st.drift[0].note).toContain("changed in place");
    expect((await run("status", "--detailed-exitcode")).exitCode).toBe(3);

    const fixed = await ok("apply");
    expect(fixed.stdout).toContain("Repaired drift");
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("one\n");
    expect((await json("status")).drift).toEqual([]);

    const healthy = await run("health");
    expect(healthy.exitCode, healthy.stdout + healthy.stderr).toBe(0);

    // Same size, mtime put back: only hashing sees it: --full hashes every object, a plain
    // health a sample (here, with 2 objects, all of them).
    const { execa } = await import("execa");
    await execa("cp", ["--preserve=timestamps", object, `${object}.ref`]);
    chmodSync(object, 0o644);
    writeFileSync(object, "ONE\n");
    await execa("touch", ["-r", `${object}.ref`, object]); // nanoseconds and all
    const { unlinkSync } = await import("node:fs");
    unlinkSync(`${object}.ref`);
    expect((await run("health")).exitCode).toBe(1);
    expect((await run("status")).exitCode).toBe(0); // status reads the recorded size and time only
    const full = await run("health", "--full");
    expect(full.exitCode).toBe(1);
    expect(full.stdout).toContain("1 changed since applied");

    // Corrupted again, then a commit and its revert: the revert must bring back Git's content.
    chmodSync(object, 0o644);
    appendFileSync(join(home, ".rc"), "again\n");
    await repo.commit({ "f/rc": "two\n" });
    await ok("apply");
    await repo.revert();
    await ok("apply");
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("one\n");
  });
});

describe("targets inside dotops' own state (defect 3)", () => {
  it("check and apply refuse a target in the state dir or the config repo, naming file:line:col", async () => {
    const { repo, home, run } = await setup({
      "dotops.yaml": entry("{ target: ~/.local/state/dotops/current, source: f/a }"),
      "f/a": "a\n",
    });
    for (const cmd of ["check", "apply", "plan"]) {
      const r = await run(cmd);
      expect(r.exitCode, cmd).toBe(2);
      expect(r.stderr).toContain(
        "dotops.yaml:5:5: target ~/.local/state/dotops/current is inside dotops' state dir",
      );
    }
    expect(existsSync(join(home, ".local/state/dotops/current"))).toBe(false);

    // The config repo itself, when it lives in HOME (~/dotfiles, as most people keep it).
    await repo.commit({ "dotops.yaml": entry("{ target: ~/dotfiles/generated, source: f/a }") });
    await git(home, "clone", "-q", repo.dir, "dotfiles");
    const r = await dotops(["check"], { home, cwd: join(home, "dotfiles") });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("target ~/dotfiles/generated is inside the config repo (~/dotfiles)");
  });

  it("a broken `current` (a loop) is read as the newest whole generation and repaired by the next command", async () => {
    const { home, state, ok } = await setup({
      "dotops.yaml": entry("{ target: ~/.rc, source: f/a }"),
      "f/a": "a\n",
    });
    await ok("apply");
    const current = join(state, "current");
    const tmp = `${current}.tmp`;
    symlinkSync(join(current, "home/loop"), tmp);
    const { renameSync } = await import("node:fs");
    renameSync(tmp, current);

    const gens = await ok("--json", "generations");
    expect(JSON.parse(gens.stdout)[0]).toMatchObject({ number: 1, current: true });
    expect(gens.stderr).toContain("which is not a generation: repaired, current is generation 1");
    expect((await ok("status")).stdout).toContain("Generation 1 (applied)");
    expect(readlinkSync(current)).toBe(join(state, "generations/1"));
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("a\n");
  });
});

describe("plans stay readable (defect 7)", () => {
  it("a first plan of 1,000 files is about 1,000 lines; -q is the summary; --diff shows contents", async () => {
    const files: Record<string, string> = { "dotops.yaml": entry("{ target: ~/.config/big, source: big }") };
    for (let i = 0; i < 1000; i++) files[`big/f${i}`] = `line 1 of ${i}\nline 2\nline 3\n`;
    const { ok } = await setup(files);
    const plan = (await ok("plan")).stdout.trimEnd().split("\n");
    expect(plan.length).toBeGreaterThanOrEqual(1002);
    expect(plan.length).toBeLessThanOrEqual(1005);
    const quiet = (await ok("-q", "plan")).stdout.trimEnd().split("\n");
    expect(quiet).toEqual(["Plan: 1002 to create, 0 to update, 0 to delete."]);
    const full = (await ok("plan", "--diff")).stdout;
    expect(full).toContain("+line 1 of 999");
  });

  it("names with control characters are escaped, not sent to the terminal", async () => {
    const { ok } = await setup({
      "dotops.yaml": entry('{ target: "~/.evil\\e[31mred\\nline", text: "x" }'),
    });
    const out = (await ok("plan")).stdout;
    expect(out).toContain("+ link ~/.evil\\x1b[31mred\\nline");
    expect(out).not.toContain("\u001b");
    const md = (await ok("plan", "--markdown")).stdout;
    expect(md).not.toContain("\u001b");
  });
});

describe("moving in from GNU Stow (defect 9)", () => {
  it("stow's links to identical content are replaced without a refusal or a backup", async () => {
    const files: Record<string, string> = {
      "dotops.yaml": entry(
        "{ target: ~/.config/nvim, source: nvim }\n{ target: ~/.zshrc, source: zsh/.zshrc }",
      ),
      "zsh/.zshrc": "export A=1\n",
    };
    for (let i = 0; i < 20; i++) files[`nvim/lua/m${i}.lua`] = `return ${i}\n`;
    const { repo, home, ok } = await setup(files);
    // What `stow --no-folding -t ~ nvim zsh` leaves: relative links into the stow dir.
    const stowDir = join(home, "dotfiles");
    mkdirSync(join(home, ".config/nvim/lua"), { recursive: true });
    mkdirSync(join(stowDir, "nvim/.config/nvim/lua"), { recursive: true });
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(stowDir, `nvim/.config/nvim/lua/m${i}.lua`), `return ${i}\n`);
      symlinkSync(
        `../../../dotfiles/nvim/.config/nvim/lua/m${i}.lua`,
        join(home, `.config/nvim/lua/m${i}.lua`),
      );
    }
    mkdirSync(join(stowDir, "zsh"), { recursive: true });
    writeFileSync(join(stowDir, "zsh/.zshrc"), "export A=1\n");
    symlinkSync("dotfiles/zsh/.zshrc", join(home, ".zshrc"));
    void repo;

    const r = await ok("apply");
    expect(r.stdout).toContain("+ link ~/.zshrc (replaces a link to identical content)");
    expect(readlinkSync(join(home, ".zshrc"))).toContain(".local/state/dotops/current/home/.zshrc");
    expect(readFileSync(join(home, ".config/nvim/lua/m7.lua"), "utf8")).toBe("return 7\n");
    const backups = readdirSync(home, { recursive: true }).filter((n) => String(n).includes("dotops-backup"));
    expect(backups).toEqual([]);
  });

  it("a folded stow package (a directory link into the config repo) is refused: no repo file is replaced", async () => {
    const { home } = sandbox();
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry("{ target: ~/.config/nvim/init.lua, source: nvim/.config/nvim/init.lua }"),
      "nvim/.config/nvim/init.lua": "vim.o.number = true\n",
    });
    const dotfiles = join(home, "dotfiles");
    await git(home, "clone", "-q", repo.dir, "dotfiles");
    // What a plain `stow nvim` leaves when nothing else is in ~/.config: the whole directory, folded.
    symlinkSync("dotfiles/nvim/.config", join(home, ".config"));
    const r = await dotops(["apply"], { home, cwd: dotfiles });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain(`${home}/.config is a symlink into the config repo`);
    expect(r.stderr).toContain("stow -D <package>");
    expect(lstatSync(join(dotfiles, "nvim/.config/nvim/init.lua")).isFile()).toBe(true);
    expect(await git(dotfiles, "status", "--porcelain")).toBe("");

    rmSync(join(home, ".config")); // stow -D nvim
    const ok = await dotops(["apply"], { home, cwd: dotfiles });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(lstatSync(join(home, ".config/nvim/init.lua")).isSymbolicLink()).toBe(true);
    expect(await git(dotfiles, "status", "--porcelain")).toBe("");
  });

  it("a stow link to different content is still refused", async () => {
    const { home, run } = await setup({ "dotops.yaml": entry("{ target: ~/.zshrc, text: new }") });
    writeFileSync(join(home, "old"), "old\n");
    symlinkSync("old", join(home, ".zshrc"));
    const r = await run("apply");
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("~/.zshrc exists and is a symlink to old that dotops does not manage");
  });
});

describe("apply --dry-run and health checks (defect 12)", () => {
  it("reports checks as not run instead of passed, and records no generation", async () => {
    const { json, state } = await setup({
      "dotops.yaml": `${entry("{ target: ~/.rc, text: x }")}agent:\n  healthChecks:\n    - { name: always fails, run: ["false"] }\n`,
    });
    const r = await json("apply", "--dry-run");
    expect(r.created).toBe(false);
    expect(r.health).toEqual([{ name: "always fails", ok: null, detail: "not run: dry run" }]);
    expect(existsSync(join(state, "generations"))).toBe(false);
  });
});

describe("destructive steps are real (defect 16)", () => {
  it("removing an edited copy needs --allow-destructive, and keeps the edits in the trash", async () => {
    const { repo, home, state, run, ok, json } = await setup({
      "dotops.yaml": entry(
        "{ target: ~/.ssh/config, source: f/ssh, mode: copy, permissions: '0600' }\n{ target: ~/.rc, text: x }",
      ),
      "f/ssh": "Host *\n",
    });
    await ok("apply");
    appendFileSync(join(home, ".ssh/config"), "Host mine\n");
    await repo.commit({ "dotops.yaml": entry("{ target: ~/.rc, text: x }") });

    const plan = await json("plan");
    expect(plan.summary.destructive).toBe(1);
    expect(plan.changes.find((c: { id: string }) => c.id === "~/.ssh/config")).toMatchObject({
      action: "delete",
      destructive: true,
    });
    const refused = await run("apply");
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain("delete file ~/.ssh/config: edited since dotops wrote it");
    expect(readFileSync(join(home, ".ssh/config"), "utf8")).toBe("Host *\nHost mine\n");

    // The confirm prompt is not a TTY here: --yes approves.
    await ok("apply", "--yes");
    expect(existsSync(join(home, ".ssh/config"))).toBe(false);
    const [id] = readdirSync(join(state, "trash"));
    expect(readFileSync(join(state, "trash", id as string, ".ssh/config"), "utf8")).toBe(
      "Host *\nHost mine\n",
    );
    const dry = await json("gc", "--dry-run");
    expect(dry.deletedTrash).toEqual([join(state, "trash", id as string)]);
    expect(existsSync(join(state, "trash"))).toBe(true);
    await ok("gc");
    expect(existsSync(join(state, "trash"))).toBe(false);
  });

  it("an unedited copy is removed without asking", async () => {
    const { repo, home, ok } = await setup({
      "dotops.yaml": entry("{ target: ~/.c, text: x, mode: copy }\n{ target: ~/.rc, text: x }"),
    });
    await ok("apply");
    await repo.commit({ "dotops.yaml": entry("{ target: ~/.rc, text: x }") });
    await ok("apply");
    expect(existsSync(join(home, ".c"))).toBe(false);
  });
});

describe("symlinks inside a directory source (defect 6)", () => {
  /** A home mirror as people keep one: `home/` is HOME, with links between its files and out of the repo. */
  async function homeMirror(extra = "") {
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry(`{ target: "~", source: home${extra} }`),
      "home/.config/nvim/init.lua": "vim.o.number = true\n",
      "home/.config/nvim/lua-5.1/plugins.lua": "return {}\n",
      "shared/bash/aliases.sh": "alias ll='ls -l'\n",
    });
    const d = repo.dir;
    symlinkSync("lua-5.1", join(d, "home/.config/nvim/lua")); // a directory of the same source: stays a link
    symlinkSync(".config/nvim/init.lua", join(d, "home/.vimrc")); // a file: its content
    symlinkSync("../shared/bash", join(d, "home/.bashrc.d")); // a directory elsewhere in the repo: followed
    symlinkSync("/etc/hostname", join(d, "home/.hostname")); // out of the repo
    await repo.commit({});
    const { home } = sandbox();
    return { repo, home, run: (...a: string[]) => dotops(["--repo", repo.dir, ...a], { home }) };
  }

  it("keeps in-repo links, follows links to other directories, skips links out of the repo with a warning", async () => {
    const { home, run } = await homeMirror();
    const check = await run("check");
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stderr).toContain("warning: dotops.yaml:5:");
    expect(check.stderr).toContain("skipped home/.hostname (inside home): a symlink to /etc/hostname");

    const r = await run("apply");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("skipped home/.hostname");
    expect(readlinkSync(join(home, ".config/nvim/lua"))).toBe("lua-5.1");
    expect(readFileSync(join(home, ".config/nvim/lua/plugins.lua"), "utf8")).toBe("return {}\n");
    expect(readFileSync(join(home, ".vimrc"), "utf8")).toBe("vim.o.number = true\n");
    expect(readFileSync(join(home, ".bashrc.d/aliases.sh"), "utf8")).toBe("alias ll='ls -l'\n");
    expect(existsSync(join(home, ".hostname"))).toBe(false);

    // Kept links are dotops' own: a second apply finds them in place.
    const again = await run("apply");
    expect(again.stdout).toContain("No changes");
  });

  it("symlinks: keep deploys links out of the repo as links", async () => {
    const { home, run } = await homeMirror(", symlinks: keep");
    const r = await run("apply");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("skipped");
    expect(readlinkSync(join(home, ".hostname"))).toBe("/etc/hostname");
  });
});

describe("reading the repo (defects 4 and 5)", () => {
  it("reads only the blobs the config references: an unrelated object may even be missing", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry("{ target: ~/.rc, source: f/rc }"),
      "f/rc": "rc\n",
      "big/data.bin": "x".repeat(100_000),
    });
    // Delete the unrelated blob from the object store: reading it at all would fail.
    const oid = await git(repo.dir, "rev-parse", "HEAD:big/data.bin");
    const { unlinkSync } = await import("node:fs");
    unlinkSync(join(repo.dir, ".git/objects", oid.slice(0, 2), oid.slice(2)));
    const { home } = sandbox();
    for (const cmd of ["check", "plan", "apply"]) {
      const r = await dotops(["--repo", repo.dir, cmd], { home });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(0);
    }
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("rc\n");

    // A referenced blob that is missing is an error naming it, never an empty file.
    const rc = await git(repo.dir, "rev-parse", "HEAD:f/rc");
    unlinkSync(join(repo.dir, ".git/objects", rc.slice(0, 2), rc.slice(2)));
    const broken = await dotops(["--repo", repo.dir, "check"], { home });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain("f/rc is missing from the repository's objects");
  });

  it("refuses a referenced file over the size limit, naming it, with bounded memory", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry("{ target: ~/.huge, source: huge.bin }"),
    });
    writeFileSync(join(repo.dir, "huge.bin"), Buffer.alloc(65 * 1024 * 1024, 1));
    await repo.commit({});
    const { home } = sandbox();
    const { execa } = await import("execa");
    const r = await execa(
      "/usr/bin/time",
      ["-f", "maxrss=%M", process.execPath, CLI, "--repo", repo.dir, "check"],
      {
        env: { HOME: home, PATH: process.env.PATH ?? "" },
        reject: false,
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("huge.bin is 65.0 MiB; dotops manages files up to 64 MiB");
    const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    expect(kb).toBeLessThan(150 * 1024); // the file was never read
  });

  it("a submodule source is taken at the commit its parent pins; unavailable, it is refused by name", async () => {
    const sub = await ConfigRepo.create({ "plugin.vim": "pinned\n" });
    const pinned = await sub.head();
    await sub.commit({ "plugin.vim": "newer, not pinned\n" });
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry("{ target: ~/.vim/pack/p, source: vendor/p }"),
    });
    await git(repo.dir, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.dir, "vendor/p");
    await git(join(repo.dir, "vendor/p"), "checkout", "-q", pinned);
    await repo.commit({});
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".vim/pack/p/plugin.vim"), "utf8")).toBe("pinned\n");

    // A clone without the submodule (what the agent's bare clone is): refused, naming it.
    const bare = join(sandbox().root, "clone.git");
    await git(repo.dir, "clone", "-q", "--bare", repo.dir, bare);
    const b = await dotops(["--repo", bare, "check"], { home });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain("vendor/p is a Git submodule (pinned at");
    expect(b.stderr).toContain("does not fetch submodules");
  });

  it("files under a Git filter: deployed through the configured filter, else refused with the reason", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml": entry("{ target: ~/.env, source: secret.env }\n{ target: ~/.big, source: big.psd }"),
      ".gitattributes": "*.env filter=crypt\n",
      "secret.env": "TOKEN=ENCRYPTED\n",
      "big.psd": "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n",
    });
    const { home } = sandbox();
    const before = await dotops(["--repo", repo.dir, "check"], { home });
    expect(before.exitCode).toBe(2);
    expect(before.stderr).toContain(
      'secret.env is stored through the "crypt" filter (.gitattributes), which is not set up here',
    );
    expect(before.stderr).toContain("big.psd is a Git LFS pointer, not the file");

    await git(repo.dir, "config", "filter.crypt.smudge", "sed s/ENCRYPTED/decrypted/");
    await repo.commit({ "dotops.yaml": entry("{ target: ~/.env, source: secret.env }") });
    const r = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".env"), "utf8")).toBe("TOKEN=decrypted\n");
  });
});

describe("a pass killed during its health checks (defect 19, the checks' half)", () => {
  it("leaves them pending, and the next apply runs them and rolls back on failure", async () => {
    const { repo, home, run, ok, json } = await setup({
      "dotops.yaml": entry("{ target: ~/.rc, text: one }"),
    });
    await ok("apply");
    // The check kills dotops (its parent) the first time, and fails after that.
    const check = 'if [ -e "$HOME/kill-me" ]; then rm "$HOME/kill-me"; kill -9 $PPID; sleep 5; fi; exit 1';
    await repo.commit({
      "dotops.yaml": `${entry("{ target: ~/.rc, text: two }")}agent:\n  healthChecks:\n    - { name: flaky, run: [sh, -c, '${check}'] }\n`,
    });
    writeFileSync(join(home, "kill-me"), "");
    const killed = await run("apply");
    expect(killed.exitCode).not.toBe(0);
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("two");

    const again = await run("apply");
    expect(again.exitCode, again.stdout + again.stderr).toBe(5);
    expect(readFileSync(join(home, ".rc"), "utf8")).toBe("one");
    const gens = await json("generations");
    expect(gens.map((g: { outcome: string }) => g.outcome)).toEqual(["applied", "rolled-back"]);
  });
});

describe("plan --all (defect 14)", () => {
  it("lists the resources that stay unchanged, in text and JSON", async () => {
    const { repo, ok, json } = await setup({
      "dotops.yaml": entry("{ target: ~/.a, text: a }\n{ target: ~/.b, text: b }"),
    });
    await ok("apply");
    await repo.commit({ "dotops.yaml": entry("{ target: ~/.a, text: a }\n{ target: ~/.b, text: B }") });
    const text = (await ok("plan", "--all")).stdout;
    expect(text).toContain("  ~ link ~/.b");
    expect(text).toContain("  = link ~/.a");
    expect((await ok("plan")).stdout).not.toContain("= link ~/.a");
    const j = await json("plan", "--all");
    expect(j.unchanged).toEqual([{ kind: "link", id: "~/.a" }]);
    expect(j.changes.map((c: { id: string }) => c.id)).toEqual(["~/.b"]);
  });
});

describe("reading while an apply runs", () => {
  it("generations and status answer from the last record instead of failing on the apply's lock", async () => {
    const { state, run, ok } = await setup({ "dotops.yaml": entry("{ target: ~/.rc, text: x }") });
    await ok("apply");
    // What an apply in flight leaves: its journal, and the lock held by a live process (this one).
    const journal = join(state, "journal");
    writeFileSync(
      journal,
      `${JSON.stringify({ type: "begin", generation: 2, pid: process.pid, startedAt: "now", steps: [] })}\n`,
    );
    writeFileSync(join(state, "lock"), JSON.stringify({ pid: process.pid, command: "apply", since: "now" }));
    for (const cmd of ["generations", "status"]) {
      const r = await run(cmd);
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(0);
    }
    expect(existsSync(journal)).toBe(true); // not "recovered" under the running apply's feet
    expect((await run("apply")).exitCode).toBe(1); // a writer still waits its turn

    // The apply's process is gone: the next reader recovers.
    writeFileSync(join(state, "lock"), JSON.stringify({ pid: 2 ** 22 + 7, command: "apply", since: "now" }));
    await ok("generations");
    expect(existsSync(journal)).toBe(false);
  });
});
