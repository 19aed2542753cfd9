import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { relativeTo } from "../src/git/input-cache.js";
import { ConfigRepo, dotops, git, sandbox, sshSigner, tempDir } from "./helpers.js";

/*
 * Inputs (a shared base from another Git repo) and externals (a repo placed
 * at a target), pinned in dotops.lock: real local repos as the upstreams,
 * the built CLI, a sandbox HOME.
 */

const BASE = {
  "dotops.yaml": "version: 1\nhosts: {}\n",
  "home/vim.yaml": "files:\n  - { target: ~/.vimrc, source: files/vimrc }\n",
  "home/git.yaml": "files:\n  - { target: ~/.config/git/ignore, source: ./files/gitignore }\n",
  "files/vimrc": "set number\n",
  "files/gitignore": ".DS_Store\n",
};

const PLUGIN = {
  "oh-my-zsh.sh": "# oh-my-zsh\n",
  "lib/git.zsh": "alias g=git\n",
  "tools/upgrade.sh": "#!/bin/sh\n",
};

function personal(base: string, extra = ""): Record<string, string> {
  return {
    "dotops.yaml": `version: 1
inputs:
  base: { git: ${base}, ref: main }
externals:
  ~/.oh-my-zsh: { git: ${base}-plugin, ref: main, ignore: [tools/] }
imports: [inputs.base/home/*.yaml]
hosts:
  box: { platform: linux }
files:
  - { target: ~/.gitconfig, source: files/gitconfig }
  - { target: ~/.config/base-readme, source: inputs.base/files/gitignore }
${extra}`,
    "files/gitconfig": "[user]\n  name = me\n",
  };
}

/** A base repo, a plugin repo beside it, and a personal config using both. */
async function world() {
  const base = await ConfigRepo.create(BASE, "base 1");
  const plugin = new ConfigRepo(`${base.dir}-plugin`);
  await git(base.dir, "init", "-q", "-b", "main", plugin.dir);
  await plugin.commit(PLUGIN, "plugin 1");
  const me = await ConfigRepo.create(personal(base.dir));
  const { home, state } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", me.dir, ...args], { home });
  return { base, plugin, me, home, state, run };
}

describe("inputs and dotops.lock", () => {
  it("check names each input missing from dotops.lock; lock pins them; apply deploys the input's files and the external", async () => {
    const { base, plugin, me, home, run } = await world();
    const unlocked = await run("check");
    expect(unlocked.exitCode).toBe(2);
    expect(unlocked.stderr).toMatch(/dotops\.yaml:3:3: input base is not in dotops\.lock: run `dotops lock`/);
    expect(unlocked.stderr).toMatch(/dotops\.yaml:5:3: external ~\/\.oh-my-zsh is not in dotops\.lock/);

    const lock = await run("--json", "lock");
    expect(lock.exitCode, lock.stderr).toBe(0);
    const text = me.read("dotops.lock");
    const locked = JSON.parse(text);
    expect(locked.inputs.base).toMatchObject({ git: base.dir, ref: "main", rev: await base.head() });
    expect(locked.externals["~/.oh-my-zsh"]).toMatchObject({ rev: await plugin.head() });
    // Sorted keys, a final newline: the same lock is the same bytes.
    expect(Object.keys(locked)).toEqual(["externals", "inputs", "version"]);
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(lock.stdout)).toMatchObject({
      changed: true,
      entries: [{ key: "base" }, { key: "~/.oh-my-zsh" }],
    });
    expect((await run("lock")).stdout).toMatch(/dotops\.lock is up to date/);

    await me.commit({}, "lock");
    const applied = await run("apply");
    expect(applied.exitCode, applied.stderr).toBe(0);
    // The input's own YAML names its own files (files/vimrc, ./files/gitignore)...
    expect(readFileSync(join(home, ".vimrc"), "utf8")).toBe("set number\n");
    expect(readFileSync(join(home, ".config/git/ignore"), "utf8")).toBe(".DS_Store\n");
    // ...and the config repo names them with the input's prefix.
    expect(readFileSync(join(home, ".config/base-readme"), "utf8")).toBe(".DS_Store\n");
    expect(readFileSync(join(home, ".gitconfig"), "utf8")).toBe("[user]\n  name = me\n");
    // The external is placed from the store, as links, without what it ignores.
    expect(lstatSync(join(home, ".oh-my-zsh/lib/git.zsh")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(home, ".oh-my-zsh/oh-my-zsh.sh"), "utf8")).toBe("# oh-my-zsh\n");
    expect(existsSync(join(home, ".oh-my-zsh/tools"))).toBe(false);
    // Nothing of the input's own config is deployed, nor is anything of the mount points.
    expect(existsSync(join(home, "inputs.base"))).toBe(false);
  });

  it("update moves an input to its ref's newest commit; the lock-only commit's plan names the input, its range and its changes", async () => {
    const { base, me, home, run } = await world();
    await run("lock");
    await me.commit({}, "lock");
    expect((await run("apply")).exitCode).toBe(0);

    await base.commit({ "files/vimrc": "set number\nset relativenumber\n" }, "base 2");
    await base.commit({ "README.md": "# base\n" }, "base 3");
    const before = JSON.parse(me.read("dotops.lock")).inputs.base.rev;
    const update = await run("--json", "update", "base");
    expect(update.exitCode, update.stderr).toBe(0);
    const out = JSON.parse(update.stdout);
    expect(out.entries).toEqual([
      expect.objectContaining({ key: "base", from: before, to: await base.head(), commits: 2 }),
      expect.objectContaining({ key: "~/.oh-my-zsh" }), // not named: left as it is
    ]);
    expect(out.entries[1].from).toBe(out.entries[1].to);
    expect((await run("update", "base")).stdout).toMatch(/input base: unchanged/);
    expect((await run("update", "nope")).stderr).toMatch(/not an input or external of dotops\.yaml: nope/);

    await me.commit({}, "update base");
    const plan = await run("plan");
    expect(plan.stdout).toMatch(
      new RegExp(
        `input base: ${before.slice(0, 7)} → ${(await base.head()).slice(0, 7)} \\(2 commits\\), 1 change from it: ~/.vimrc`,
      ),
    );
    expect(plan.stdout).toMatch(/~ link ~\/\.vimrc/);
    const json = JSON.parse((await run("--json", "plan")).stdout);
    expect(json.inputs).toEqual([
      {
        kind: "input",
        key: "base",
        source: base.dir,
        from: before,
        to: await base.head(),
        commits: 2,
        changes: ["~/.vimrc"],
      },
    ]);
    expect((await run("apply")).exitCode).toBe(0);
    expect(readFileSync(join(home, ".vimrc"), "utf8")).toMatch(/relativenumber/);
    // Each generation records the commits it was built from: `diff` names them too.
    expect((await run("diff", "1", "2")).stdout).toMatch(
      /input base: [0-9a-f]{7} → [0-9a-f]{7} \(2 commits\), 1 change from it: ~\/\.vimrc/,
    );
  });

  it("works offline from the cache; without a cache an unreachable input applies nothing; update keeps the locked commit with a warning", async () => {
    const { base, me, home, run } = await world();
    await run("lock");
    await me.commit({}, "lock");
    expect((await run("apply")).exitCode).toBe(0);

    const gone = `${base.dir}-moved`;
    renameSync(base.dir, gone);
    await me.commit({ "files/gitconfig": "[user]\n  name = me, offline\n" }, "offline edit");
    const offline = await run("apply");
    expect(offline.exitCode, offline.stderr).toBe(0);
    expect(readFileSync(join(home, ".gitconfig"), "utf8")).toMatch(/offline/);

    const warned = await run("update", "base");
    expect(warned.exitCode, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/input base: .* cannot be reached .*; kept the locked commit/);

    // Another machine, nothing cached: a clear error, nothing applied.
    const other = sandbox();
    const fresh = await dotops(["--repo", me.dir, "apply"], { home: other.home });
    expect(fresh.exitCode).toBe(1);
    expect(fresh.stderr).toMatch(
      /input base: .* cannot be reached .*is not in the cache .*nothing was applied/,
    );
    expect(existsSync(join(other.home, ".gitconfig"))).toBe(false);
    expect(existsSync(join(other.state, "generations"))).toBe(false);
  });

  it("refuses a locked commit the input no longer has (history rewritten upstream), naming it", async () => {
    const { base, me, run } = await world();
    await base.commit({ "files/vimrc": "set number\nset list\n" }, "base 2");
    await run("lock");
    const rev = JSON.parse(me.read("dotops.lock")).inputs.base.rev;
    await me.commit({}, "lock");
    await git(base.dir, "reset", "-q", "--hard", "HEAD~1");
    await git(base.dir, "reflog", "expire", "--expire=now", "--all");
    await git(base.dir, "gc", "-q", "--prune=now");

    const { home, state } = sandbox();
    const r = await dotops(["--repo", me.dir, "apply"], { home });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(`input base: the locked commit ${rev} is not in ${base.dir}`);
    expect(r.stderr).toMatch(/dotops update base/);
    expect(existsSync(join(state, "generations"))).toBe(false);
  });

  it("refuses an input path that leaves the input's tree, a link out of it, an input cycle, a stale lock and a lock that is not JSON", async () => {
    const { base, me, run } = await world();
    await run("lock");
    await me.commit({}, "lock");

    // The input's YAML reaching into the config repo's own files.
    await base.commit({
      "home/sneaky.yaml": "files:\n  - { target: ~/.sneaky, source: ../files/gitconfig }\n",
    });
    await run("update", "base");
    await me.commit({}, "sneaky");
    const leaves = await run("check");
    expect(leaves.exitCode).toBe(2);
    expect(leaves.stderr).toMatch(
      /inputs\.base\/home\/sneaky\.yaml:2:\d+: \.\.\/files\/gitconfig leaves input base: paths in an input's files are inside that input \[host box\] \(at files\[\d\]\.source\)/,
    );
    // An import that names the input and climbs out of it.
    me.write({
      "dotops.yaml": me
        .read("dotops.yaml")
        .replace("imports: [inputs.base/home/*.yaml]", "imports: [inputs.base/../files/gitconfig]"),
    });
    const climbs = await dotops(["--repo", me.dir, "check", "--worktree"], { home: sandbox().home });
    expect(climbs.exitCode).toBe(2);
    expect(climbs.stderr).toMatch(
      /dotops\.yaml:\d+:\d+: import "inputs\.base\/\.\.\/files\/gitconfig" leaves input base/,
    );
    await git(me.dir, "checkout", "--", "dotops.yaml");
    // A symlink in the input to the config repo's files is a link out of the input.
    await base.commit({ "home/sneaky.yaml": "files:\n  - { target: ~/.sneaky, source: files/link }\n" });
    await execSymlink(base.dir, "../../files/gitconfig", "files/link");
    await run("update", "base");
    await me.commit({}, "link");
    const link = await run("check");
    expect(link.exitCode).toBe(2);
    expect(link.stderr).toMatch(
      /source files\/link is a symlink out of the repo|inputs\.base\/files\/link is a symlink out of the repo/,
    );

    // A cycle: the base declares the personal repo as its input.
    await base.commit({
      "dotops.yaml": `version: 1\ninputs:\n  mine: { git: ${me.dir}, ref: main }\nhosts: {}\n`,
      "home/sneaky.yaml": null,
    });
    const cycle = await run("update", "base");
    expect(cycle.exitCode).toBe(2);
    expect(cycle.stderr).toMatch(/input cycle: this repo → base → mine, which is this config repo again/);

    // A stale lock: dotops.yaml now follows another ref.
    await git(base.dir, "branch", "stable");
    me.write({ "dotops.yaml": me.read("dotops.yaml").replace("ref: main }", "ref: stable }") });
    const stale = await dotops(["--repo", me.dir, "check", "--worktree"], { home: sandbox().home });
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toMatch(
      /dotops\.lock is stale for input base: it pins .*@main, dotops\.yaml says .*@stable; run `dotops lock`/,
    );

    // A lock edited into invalid JSON: file:line:col.
    me.write({ "dotops.lock": '{\n  "version": 1,\n  "inputs": {,\n}\n' });
    const broken = await dotops(["--repo", me.dir, "check", "--worktree"], { home: sandbox().home });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/dotops\.lock:3:\d+: dotops\.lock is not valid JSON/);
    const relock = await dotops(["--repo", me.dir, "lock"], { home: sandbox().home });
    expect(relock.exitCode).toBe(2);
    expect(relock.stderr).toMatch(
      /dotops\.lock:3:\d+: dotops\.lock is not valid JSON .*delete it and run `dotops lock`/,
    );
  });

  it("the agent refuses an input commit not signed by a trusted signer when requireSignedCommits", async () => {
    const signer = await sshSigner("me");
    const base = await ConfigRepo.create(BASE, "base 1 (unsigned)");
    const policy = `agent:\n  requireSignedCommits: true\n  trustedSigners: ["${signer.allowed}"]\n`;
    const me = new ConfigRepo(tempDir("dotops-repo-"));
    await git(me.dir, "init", "-q", "-b", "main");
    const files = {
      "dotops.yaml": `version: 1\ninputs:\n  base: { git: ${base.dir}, ref: main }\nimports: [inputs.base/home/vim.yaml]\nhosts:\n  box: { platform: linux }\n${policy}`,
    };
    const { home } = sandbox();
    me.write(files);
    expect((await dotops(["--repo", me.dir, "lock"], { home })).exitCode).toBe(0);
    await signer.commit(me, "signed config, unsigned input", {});
    const refused = await dotops(["--repo", me.dir, "agent", "--once"], { home });
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toMatch(
      /input base: its locked commit [0-9a-f]{12} is not signed; agent.requireSignedCommits applies to inputs too/,
    );
    expect(existsSync(join(home, ".vimrc"))).toBe(false);

    await signer.commit(base, "base 2 (signed)", { "files/vimrc": "set number signed\n" });
    expect((await dotops(["--repo", me.dir, "update"], { home })).exitCode).toBe(0);
    await signer.commit(me, "signed update", {});
    const ok = await dotops(["--repo", me.dir, "agent", "--once"], { home });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(readFileSync(join(home, ".vimrc"), "utf8")).toBe("set number signed\n");
  });
});

/** Commits a symlink `path` → `target` in `repo`. */
async function execSymlink(repo: string, target: string, path: string) {
  symlinkSync(target, join(repo, path));
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "link");
  expect(readlinkSync(join(repo, path))).toBe(target);
}

describe("a relative git: is relative to the config repo's origin, as a submodule's URL is", () => {
  it.each([
    ["git@github.com:org/dotfiles.git", "../dotops-base", "git@github.com:org/dotops-base"],
    ["https://github.com/org/dotfiles.git", "../dotops-base.git", "https://github.com/org/dotops-base.git"],
    ["https://github.com/org/dotfiles/", "../../other/base", "https://github.com/other/base"],
    ["/srv/git/dotfiles.git", "../base", "/srv/git/base"],
    ["file:///srv/git/dotfiles", "./sub", "file:///srv/git/dotfiles/sub"],
  ])("%s + %s → %s", (base, rel, want) => {
    expect(relativeTo(base, rel)).toBe(want);
  });
});

describe("an input's own inputs", () => {
  it("are locked as base/company, placed at inputs.base/inputs.company/, a relative git: taken beside the input", async () => {
    const root = tempDir("dotops-team-");
    const repoAt = async (name: string, files: Record<string, string>) => {
      const r = new ConfigRepo(join(root, name));
      await git(root, "init", "-q", "-b", "main", r.dir);
      await r.commit(files, `${name} 1`);
      return r;
    };
    const company = await repoAt("company", {
      "home/ssh.yaml":
        'files:\n  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0600" }\n',
      "files/ssh_config": "Host *\n  ServerAliveInterval 60\n",
    });
    const base = await repoAt("base", {
      "dotops.yaml": "version: 1\ninputs:\n  company: { git: ../company, ref: main }\nhosts: {}\n",
    });
    const me = await ConfigRepo.create({
      "dotops.yaml": `version: 1\ninputs:\n  base: { git: ${base.dir}, ref: main }\nimports: [inputs.base/inputs.company/home/*.yaml]\nhosts:\n  box: { platform: linux }\n`,
    });
    const { home } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", me.dir, ...args], { home });
    const lock = await run("--json", "lock");
    expect(lock.exitCode, lock.stderr).toBe(0);
    expect(JSON.parse(me.read("dotops.lock")).inputs["base/company"]).toMatchObject({
      git: company.dir,
      rev: await company.head(),
    });
    await me.commit({}, "lock");
    const r = await run("apply");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".ssh/config"), "utf8")).toBe("Host *\n  ServerAliveInterval 60\n");
    expect(statSync(join(home, ".ssh/config")).mode & 0o777).toBe(0o600);
  });
});

describe("the shapes of real repos as inputs", () => {
  // As tried on mathiasbynens/dotfiles (a home mirror) with ohmyzsh and zsh-autosuggestions
  // inside it: a whole input as HOME, one file of it replaced, an external inside another's target.
  it("a home-mirror input with a file replaced, and an external placed inside another external", async () => {
    const mirror = await ConfigRepo.create(
      {
        ".aliases": "alias l='ls -la'\n",
        ".gitconfig": "[user]\n  name = Mathias\n",
        "README.md": "# dotfiles\n",
        "bin/tool": "#!/bin/sh\n",
      },
      "mirror",
    );
    chmodSync(join(mirror.dir, "bin/tool"), 0o755);
    await mirror.commit({}, "bin/tool is executable");
    const omz = await ConfigRepo.create({
      "oh-my-zsh.sh": "# omz\n",
      "custom/plugins/example/example.plugin.zsh": "#\n",
    });
    const plugin = await ConfigRepo.create({ "zsh-autosuggestions.zsh": "# suggest\n" });
    const me = await ConfigRepo.create({
      "dotops.yaml": `version: 1
inputs:
  mathias: { git: ${mirror.dir}, ref: main }
externals:
  ~/.oh-my-zsh: { git: ${omz.dir}, ref: main }
  ~/.oh-my-zsh/custom/plugins/zsh-autosuggestions: { git: ${plugin.dir}, ref: main }
hosts:
  box: { platform: linux }
files:
  - { target: ~, source: inputs.mathias, ignore: [README.md] }
  - { target: ~/.gitconfig, text: "[user]\\n  name = me\\n" }
`,
    });
    const { home } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", me.dir, ...args], { home });
    expect((await run("lock")).exitCode).toBe(0);
    await me.commit({}, "lock");
    const r = await run("apply");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".aliases"), "utf8")).toBe("alias l='ls -la'\n");
    expect(readFileSync(join(home, ".gitconfig"), "utf8")).toBe("[user]\n  name = me\n");
    expect(existsSync(join(home, "README.md"))).toBe(false);
    expect(statSync(join(home, "bin/tool")).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(home, ".oh-my-zsh/oh-my-zsh.sh"), "utf8")).toBe("# omz\n");
    expect(readFileSync(join(home, ".oh-my-zsh/custom/plugins/example/example.plugin.zsh"), "utf8")).toBe(
      "#\n",
    );
    expect(
      readFileSync(
        join(home, ".oh-my-zsh/custom/plugins/zsh-autosuggestions/zsh-autosuggestions.zsh"),
        "utf8",
      ),
    ).toBe("# suggest\n");
    // Nothing of the inputs' own bookkeeping reaches HOME.
    expect(existsSync(join(home, "inputs.mathias"))).toBe(false);
    expect(existsSync(join(home, ".externals"))).toBe(false);
  });
});

describe("archive externals", () => {
  it("pins an archive by sha256, places it, refuses it when it changes at its URL, and update moves the pin", async () => {
    const work = tempDir("dotops-archive-");
    mkdirSync(join(work, "mono-1.0/fonts"), { recursive: true });
    writeFileSync(join(work, "mono-1.0/fonts/Mono.ttf"), "font v1\n");
    writeFileSync(join(work, "mono-1.0/LICENSE"), "OFL\n");
    await execa("tar", ["-czf", join(work, "mono.tar.gz"), "-C", work, "mono-1.0"]);
    mkdirSync(join(work, "plug"), { recursive: true });
    writeFileSync(join(work, "plug/plugin.vim"), '" plugin\n');
    await execa("zip", ["-q", "-r", join(work, "plug.zip"), "plug"], { cwd: work });
    let served = readFileSync(join(work, "mono.tar.gz"));
    const server = createServer((req, res) => {
      if (req.url !== "/mono.tar.gz") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/gzip", "content-length": served.length }).end(served);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mono.tar.gz`;
    try {
      const me = await ConfigRepo.create({
        "dotops.yaml": `version: 1
externals:
  ~/.local/share/fonts/mono: { archive: "${url}", path: mono-1.0/fonts, mode: copy }
  ~/.vim/pack/plug/start/plug: { archive: ${join(work, "plug.zip")}, path: plug }
hosts:
  box: { platform: linux }
`,
      });
      const { home } = sandbox();
      const run = (...args: string[]) => dotops(["--repo", me.dir, ...args], { home });
      const lock = await run("lock");
      expect(lock.exitCode, lock.stderr).toBe(0);
      expect(lock.stdout).toMatch(
        /external ~\/\.local\/share\/fonts\/mono: locked at [0-9a-f]{12} \(archive .*, sha256\)/,
      );
      const pinned = JSON.parse(me.read("dotops.lock")).externals["~/.local/share/fonts/mono"];
      expect(pinned).toMatchObject({
        archive: url,
        sha256: createHash("sha256").update(served).digest("hex"),
      });
      await me.commit({}, "lock");
      const applied = await run("apply");
      expect(applied.exitCode, applied.stderr).toBe(0);
      expect(readFileSync(join(home, ".local/share/fonts/mono/Mono.ttf"), "utf8")).toBe("font v1\n");
      expect(lstatSync(join(home, ".local/share/fonts/mono/Mono.ttf")).isSymbolicLink()).toBe(false);
      expect(existsSync(join(home, ".local/share/fonts/mono/LICENSE"))).toBe(false);
      expect(readFileSync(join(home, ".vim/pack/plug/start/plug/plugin.vim"), "utf8")).toBe('" plugin\n');

      // The same URL now serves other bytes: a machine without the pinned archive refuses it.
      writeFileSync(join(work, "mono-1.0/fonts/Mono.ttf"), "font v2\n");
      await execa("tar", ["-czf", join(work, "mono.tar.gz"), "-C", work, "mono-1.0"]);
      served = readFileSync(join(work, "mono.tar.gz"));
      const other = sandbox();
      const refused = await dotops(["--repo", me.dir, "apply"], { home: other.home });
      expect(refused.exitCode).toBe(4);
      expect(refused.stderr).toContain(`external ~/.local/share/fonts/mono: the archive at ${url} changed`);
      expect(existsSync(join(other.home, ".vim"))).toBe(false);
      // This machine has it unpacked: unchanged.
      expect((await run("apply")).exitCode).toBe(0);

      const update = await run("update", "~/.local/share/fonts/mono");
      expect(update.stdout).toMatch(/→ [0-9a-f]{12} \(the archive changed; sha256\)/);
      await me.commit({}, "update fonts");
      const plan = await run("plan");
      expect(plan.stdout).toMatch(
        /external ~\/\.local\/share\/fonts\/mono: [0-9a-f]{7} → [0-9a-f]{7} \(the archive changed\), 1 change from it: ~\/\.local\/share\/fonts\/mono\/Mono\.ttf/,
      );
      expect((await run("apply")).exitCode).toBe(0);
      expect(readFileSync(join(home, ".local/share/fonts/mono/Mono.ttf"), "utf8")).toBe("font v2\n");
    } finally {
      server.close();
    }
  });
});
