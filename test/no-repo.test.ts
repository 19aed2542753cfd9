/**
 * Every way of pointing dotops at something that is not a committed config
 * repo: each says what is missing and the way out, with exit 2 (usage), and
 * changes nothing in HOME.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, minimalConfig, ROOT, sandbox, tempDir } from "./helpers.js";

const COMMANDS = [["plan"], ["apply"], ["check"]];

function plainDir(files: Record<string, string>): string {
  const dir = tempDir("dotops-plain-");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("not a config repo", () => {
  it("--repo at a plain dir with a dotops.yaml but no .git: says to make it a repo or use --worktree", async () => {
    const dir = plainDir(minimalConfig());
    const { home } = sandbox();
    for (const cmd of COMMANDS) {
      const r = await dotops(["--repo", dir, ...cmd], { home });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(
        `error: ${dir} is not a Git repository, and dotops reads the config from a commit`,
      );
      expect(r.stderr).toContain(`hint: make it one (cd ${dir} && git init && git add -A && git commit)`);
      expect(r.stderr).toContain("--worktree");
      expect(r.stderr).toContain("--repo DIR");
      expect(r.stderr).not.toMatch(/fatal:|This is a bug/);
    }
    expect(readdirSync(home)).toEqual([]);
    // The ways out work.
    const worktree = await dotops(["--repo", dir, "check", "--worktree"], { home });
    expect(worktree.exitCode, worktree.stderr).toBe(0);
    await git(dir, "init", "-q", "-b", "main");
    await git(dir, "add", "-A");
    await git(dir, "commit", "-q", "-m", "dotops config");
    const committed = await dotops(["--repo", dir, "check"], { home });
    expect(committed.exitCode, committed.stderr).toBe(0);
  });

  it("the current dir a plain dir with a dotops.yaml: the same", async () => {
    const dir = plainDir(minimalConfig());
    const { home } = sandbox();
    for (const cmd of COMMANDS) {
      const r = await dotops(cmd, { home, cwd: dir });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`error: ${dir} is not a Git repository`);
    }
    expect(readdirSync(home)).toEqual([]);
  });

  it("a Git repo without a dotops.yaml: says so and how to start one", async () => {
    const repo = await ConfigRepo.create({ "README.md": "# dotfiles\n" });
    const { home } = sandbox();
    for (const cmd of COMMANDS) {
      const r = await dotops(["--repo", repo.dir, ...cmd], { home });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        /error: no dotops\.yaml in commit [0-9a-f]{12}: is this a dotops config repo\?/,
      );
      expect(r.stderr).toContain(`hint: start one with \`dotops init ${repo.dir}\`, or pass --repo DIR`);
    }
    expect(readdirSync(home)).toEqual([]);
  });

  it("a Git repo whose dotops.yaml is not committed yet: says to commit it or use --worktree", async () => {
    const repo = await ConfigRepo.create({ "README.md": "# dotfiles\n" });
    repo.write(minimalConfig());
    const { home } = sandbox();
    for (const cmd of COMMANDS) {
      const r = await dotops(["--repo", repo.dir, ...cmd], { home });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${join(repo.dir, "dotops.yaml")} is there but not committed`);
      expect(r.stderr).toContain(
        "hint: commit it (git add dotops.yaml && git commit), or use --worktree to read uncommitted files",
      );
    }
    expect(readdirSync(home)).toEqual([]);
  });

  it("a config in a subfolder of a Git repo: says dotops.yaml belongs at the top", async () => {
    const repo = await ConfigRepo.create({ "README.md": "# monorepo\n" });
    cpSync(join(ROOT, "config-examples/minimal"), join(repo.dir, "dotfiles"), { recursive: true });
    await repo.commit({}, "add dotfiles");
    const sub = join(repo.dir, "dotfiles");
    const { home } = sandbox();
    const r = await dotops(["--repo", sub, "check"], { home });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`error: ${sub} is inside the Git repository ${repo.dir}`);
    expect(r.stderr).toContain("dotops.yaml must be at the top of a repository");
  });

  it("the current dir neither a repo nor a config: names what is missing and the ways out", async () => {
    const dir = tempDir("dotops-nowhere-");
    const { home } = sandbox();
    for (const cmd of COMMANDS) {
      const r = await dotops(cmd, { home, cwd: dir });
      expect(r.exitCode, `${cmd}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`error: no config repo: there is no dotops.yaml in ${dir}`);
      expect(r.stderr).toMatch(/hint: .*--repo DIR.*dotops init/);
    }
    // Below a config repo, commands find it as git finds .git (test/files-real-repos.test.ts has more).
    const repo = await ConfigRepo.create(minimalConfig({ "notes/todo.md": "x\n" }));
    const r = await dotops(["check"], { home, cwd: join(repo.dir, "notes") });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(home)).toEqual([]);
  });
});
