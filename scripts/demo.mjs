#!/usr/bin/env node
// The embedded default: a sandbox HOME and a Git repo made from
// config-examples/minimal. Applies it (generation 1), commits a change
// (generation 2), reverts it (back to generation 1's content) and prints the
// plans and generations on the way. Touches nothing outside a temp dir.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "dotops-demo-"));
const home = join(work, "home");
const repo = join(work, "dotfiles");
mkdirSync(home, { recursive: true });
cpSync(join(root, "config-examples/minimal"), repo, { recursive: true });

const env = {
  PATH: process.env.PATH,
  HOME: home,
  TERM: process.env.TERM ?? "dumb",
  GIT_AUTHOR_NAME: "Demo",
  GIT_AUTHOR_EMAIL: "demo@example.com",
  GIT_COMMITTER_NAME: "Demo",
  GIT_COMMITTER_EMAIL: "demo@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  ...(process.env.NO_COLOR !== undefined
    ? { NO_COLOR: process.env.NO_COLOR }
    : { FORCE_COLOR: process.stdout.isTTY ? "1" : "0" }),
};
const git = (...args) => execFileSync("git", args, { cwd: repo, env, encoding: "utf8" }).trim();
const step = (title) => console.log(`\n\x1b[1m━━ ${title}\x1b[0m`);
const dotops = (...args) => {
  console.log(`$ dotops ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [cli, "--log-format", "pretty", ...args], {
    cwd: repo,
    env,
    stdio: "inherit",
  });
  if (r.status !== 0 && !(args.includes("--detailed-exitcode") && r.status === 3)) {
    console.error(`demo: dotops ${args.join(" ")} exited ${r.status}`);
    process.exit(r.status ?? 1);
  }
};

console.log(`sandbox HOME: ${home}\nconfig repo:  ${repo}`);
git("init", "-q", "-b", "main");
git("add", "-A");
git("commit", "-q", "-m", "dotfiles: git, zsh, nvim, ssh");

step("1. Check and plan the first commit");
dotops("check");
dotops("plan");

step("2. Apply it: generation 1");
dotops("apply");
dotops("apply");
console.log(`~/.zshrc -> ${execFileSync("readlink", [join(home, ".zshrc")], { encoding: "utf8" }).trim()}`);

step("3. Commit a change: generation 2");
appendFileSync(join(repo, "files/zshrc"), "alias gs='git status'\n");
git("commit", "-q", "-am", "zsh: add gs alias");
dotops("plan");
dotops("apply");
console.log(`~/.zshrc now ends with: ${readFileSync(join(home, ".zshrc"), "utf8").trim().split("\n").pop()}`);

step("4. git revert HEAD: recognised as generation 1's content");
git("revert", "--no-edit", "HEAD");
dotops("plan");
dotops("apply");
dotops("generations");

step("5. Status, diff and local rollback");
dotops("status");
dotops("diff", "1", "2");
dotops("rollback");
dotops("generations");

step("6. The agent: every pushed commit becomes a generation");
const remote = join(work, "remote.git");
execFileSync("git", ["clone", "-q", "--bare", repo, remote], { env });
git("remote", "add", "origin", remote);
dotops("resume");
dotops("agent", "--once", "--remote", remote);
appendFileSync(join(repo, "files/zshrc"), "alias gd='git diff'\n");
git("commit", "-q", "-am", "zsh: add gd alias");
git("push", "-q", "origin", "main");
dotops("agent", "--once");
git("revert", "--no-edit", "HEAD");
git("push", "-q", "origin", "main");
console.log("(pushed a git revert: the agent switches back to the earlier generation's content)");
dotops("agent", "--once");
dotops("generations");
console.log(`\nDone. Everything lives in ${work}; remove it when you are finished looking.`);
