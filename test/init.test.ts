/**
 * `dotops init` where there is something already: an existing dotfiles repo
 * gets only dotops' own files, never a commit of the user's work, and a
 * conflict writes nothing. (A new dir: test/commands.test.ts "init".)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};
const SCAFFOLD = ["dotops.yaml", "home/files.yaml", ".dotops/schema.json", ".dotops/fragment.schema.json"];
const SAMPLES = ["user-config.yaml", "files/gitconfig", "files/nvim/init.lua", "files/ssh_config"];

/** A chezmoi-style dotfiles repo with history, a staged change and an untracked file. */
async function existingRepo(extra: Record<string, string> = {}) {
  const repo = await ConfigRepo.create({ "README.md": "# my dotfiles\n", zshrc: "export A=1\n", ...extra });
  repo.write({ "notes.txt": "staged\n", "scratch.txt": "untracked\n" });
  await git(repo.dir, "add", "notes.txt");
  return repo;
}

async function gitState(dir: string) {
  return {
    head: await git(dir, "rev-parse", "HEAD"),
    log: await git(dir, "log", "--format=%s"),
    staged: await git(dir, "diff", "--cached", "--name-status"),
  };
}

describe("init in an existing repo", () => {
  it("adds dotops.yaml, the schema and an empty home/files.yaml, commits nothing and leaves the user's files alone", async () => {
    const repo = await existingRepo();
    const { home } = sandbox();
    const before = await gitState(repo.dir);

    const r = await dotops(["init", "."], { home, cwd: repo.dir, env: GIT_IDENTITY });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Added to ${repo.dir}, not committed`);
    for (const p of SCAFFOLD) {
      expect(existsSync(join(repo.dir, p)), p).toBe(true);
      expect(r.stdout).toContain(`  ${p}\n`);
    }
    expect(r.stdout).toContain(
      'git add dotops.yaml home/files.yaml .dotops && git commit -m "dotops init" -- dotops.yaml home/files.yaml .dotops',
    );
    // No sample dotfiles: the repo's own are the user's.
    for (const p of SAMPLES) expect(existsSync(join(repo.dir, p)), p).toBe(false);
    expect(readFileSync(join(repo.dir, "home/files.yaml"), "utf8")).toMatch(/^files: \[\]$/m);
    expect(repo.read("zshrc")).toBe("export A=1\n");

    // History and index exactly as they were; the scaffold is untracked.
    expect(await gitState(repo.dir)).toEqual(before);
    const status = await git(repo.dir, "status", "--porcelain", "--untracked-files=all");
    expect(status.split("\n").sort()).toEqual(
      ["A  notes.txt", "?? scratch.txt", ...SCAFFOLD.map((p) => `?? ${p}`)].sort(),
    );

    // The scaffold is valid as it is, and after the commit init suggests.
    const worktree = await dotops(["check", "--worktree"], { home, cwd: repo.dir });
    expect(worktree.exitCode, worktree.stderr).toBe(0);
    await execa(
      "sh",
      [
        "-c",
        'git add dotops.yaml home/files.yaml .dotops && git commit -q -m "dotops init" -- dotops.yaml home/files.yaml .dotops',
      ],
      {
        cwd: repo.dir,
        env: { ...GIT_IDENTITY, GIT_CONFIG_GLOBAL: "/dev/null" },
      },
    );
    const check = await dotops(["check"], { home, cwd: repo.dir });
    expect(check.exitCode, check.stderr).toBe(0);
    // Only the scaffold went into that commit; the staged file is still just staged.
    expect((await git(repo.dir, "show", "--name-only", "--format=", "HEAD")).split("\n").sort()).toEqual(
      [...SCAFFOLD].sort(),
    );
    expect(await git(repo.dir, "diff", "--cached", "--name-only")).toBe("notes.txt");
  });

  it("--json names the files and says nothing was committed", async () => {
    const repo = await existingRepo();
    const { home } = sandbox();
    const r = await dotops(["--json", "init", repo.dir], { home, env: GIT_IDENTITY });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ dir: repo.dir, committed: false, files: SCAFFOLD });
  });

  it("a conflict writes nothing and lists every conflicting file (exit 2, no stack trace)", async () => {
    const repo = await existingRepo({
      "home/files.yaml": "mine: true\n",
      ".dotops/schema.json": "{}\n",
    });
    const { home } = sandbox();
    const listing = () => readdirSync(repo.dir).sort();
    const before = listing();
    const state = await gitState(repo.dir);

    const r = await dotops(["init", "."], { home, cwd: repo.dir, env: GIT_IDENTITY });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `error: init would overwrite 2 file(s) in ${repo.dir}: home/files.yaml, .dotops/schema.json`,
    );
    expect(r.stderr).toContain("hint: nothing was written");
    expect(r.stderr).not.toMatch(/This is a bug|\n\s+at /);
    expect(listing()).toEqual(before);
    expect(existsSync(join(repo.dir, "dotops.yaml"))).toBe(false);
    expect(existsSync(join(repo.dir, ".dotops/fragment.schema.json"))).toBe(false);
    expect(repo.read("home/files.yaml")).toBe("mine: true\n");
    expect(await gitState(repo.dir)).toEqual(state);
  });

  it("--example in a repo with a file of the same name: refused before copying anything", async () => {
    const repo = await existingRepo({ "files/zshrc": "mine\n" });
    const { home } = sandbox();
    const before = readdirSync(repo.dir).sort();
    const r = await dotops(["init", ".", "--example", "minimal"], { home, cwd: repo.dir, env: GIT_IDENTITY });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: init would overwrite 1 file(s) in ${repo.dir}: files/zshrc`);
    expect(r.stderr).not.toMatch(/This is a bug|\n\s+at /);
    expect(readdirSync(repo.dir).sort()).toEqual(before);
    expect(existsSync(join(repo.dir, "files/gitconfig"))).toBe(false);
    expect(repo.read("files/zshrc")).toBe("mine\n");
  });

  it("a plain dir of dotfiles: made a Git repo, scaffolded, nothing committed", async () => {
    const dir = tempDir("dotops-plain-");
    writeFileSync(join(dir, "zshrc"), "export A=1\n");
    const { home } = sandbox();
    const r = await dotops(["init", dir], { home, env: GIT_IDENTITY });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(join(dir, ".git"))).toBe(true);
    for (const p of SCAFFOLD) expect(existsSync(join(dir, p)), p).toBe(true);
    for (const p of SAMPLES) expect(existsSync(join(dir, p)), p).toBe(false);
    const head = await execa("git", ["rev-parse", "--verify", "--quiet", "HEAD"], {
      cwd: dir,
      reject: false,
    });
    expect(head.exitCode).not.toBe(0);
  });

  it("a dir that is only `git init`ed is new: the example, committed", async () => {
    const dir = tempDir("dotops-empty-");
    await git(dir, "init", "-q", "-b", "main");
    const { home } = sandbox();
    const r = await dotops(["init", dir], { home, env: GIT_IDENTITY });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Created a dotops config repo in ${dir} (committed).`);
    for (const p of [...SCAFFOLD, ...SAMPLES]) expect(existsSync(join(dir, p)), p).toBe(true);
    expect(await git(dir, "status", "--porcelain")).toBe("");
  });

  it("an unknown example or a file as the dir: usage errors", async () => {
    const { home, root } = sandbox();
    const r = await dotops(["init", join(root, "new"), "--example", "nope"], { home, env: GIT_IDENTITY });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: no example called "nope"');
    expect(r.stderr).toMatch(/hint: examples: (\S+, )*minimal(, \S+)*$/m);
    expect(r.stderr).toContain("macos-workstation");
    expect(existsSync(join(root, "new"))).toBe(false);
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d/f"), "x");
    const f = await dotops(["init", join(root, "d/f")], { home, env: GIT_IDENTITY });
    expect(f.exitCode).toBe(2);
    expect(f.stderr).toContain(`error: ${join(root, "d/f")} exists and is not a directory`);
  });
});
