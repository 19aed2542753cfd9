/** `dotops import stow|chezmoi` through the real CLI, against trees built here; stow compared with real GNU Stow. */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigRepo, dotops, git, sandbox, tempDir } from "./helpers.js";

const ENTRY = "version: 1\nimports: [user-config.yaml]\nhosts:\n  box: { platform: linux }\n";

function build(root: string, files: Record<string, string | { text: string; mode: number }>) {
  for (const [path, f] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof f === "string") writeFileSync(abs, f);
    else writeFileSync(abs, f.text, { mode: f.mode });
  }
}

/** Paths in HOME (without dotops' state) with the content reached through them: what a user sees. */
function seen(home: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(home, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === ".local") continue;
      const abs = join(home, r);
      if (statSync(abs).isDirectory()) {
        out[r] = "dir";
        walk(r);
      } else out[r] = readFileSync(abs, "utf8");
    }
  };
  walk("");
  return out;
}

const STOW_TREE = {
  "zsh/.zshrc": "export A=1\n",
  "zsh/.zsh/aliases.zsh": "alias ll='ls -l'\n",
  "zsh/README.md": "ignored by default\n",
  "zsh/.zshrc~": "an editor backup\n",
  "nvim/.config/nvim/init.lua": "vim.o.number = true\n",
  "nvim/.config/nvim/lua/plugins.lua": "return {}\n",
  "nvim/.config/nvim/#init.lua#": "an emacs autosave\n",
  "git/.stow-local-ignore": "# only these\nsecret\\.txt\n^/notes(/|$)\n",
  "git/.gitconfig": "[user]\n\tname = A\n",
  "git/README": "linked: the local list replaces the default one\n",
  "git/secret.txt": "never linked\n",
  "git/notes/todo": "never linked\n",
  "bin/bin/tool": { text: "#!/bin/sh\necho tool\n", mode: 0o755 },
};

async function stowHome(tree: string, pkgs = ["bin", "git", "nvim", "zsh"]): Promise<Record<string, string>> {
  const target = tempDir("stow-target-");
  await execa("stow", ["--no-folding", "-d", tree, "-t", target, ...pkgs]);
  return seen(target);
}

describe("import stow", () => {
  it("a stow directory outside the repo: packages copied into files/, applied HOME equals stow --no-folding", async () => {
    const tree = tempDir("stow-dir-");
    build(tree, STOW_TREE);
    const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "user-config.yaml": "user: {}\n" });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "import", "stow", tree], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("converted 4 packages");
    expect(r.stdout).toContain(`${tree}/git/secret.txt — ignored by git/.stow-local-ignore`);
    expect(r.stdout).toContain(`${tree}/zsh/README.md — ignored by stow's default ignore list`);
    const yaml = parse(repo.read("home/stow.yaml")) as { files: { target: string; source: string }[] };
    expect(yaml.files).toEqual([
      { target: "~", source: "files/bin" },
      { target: "~", source: "files/git" },
      { target: "~", source: "files/nvim" },
      { target: "~", source: "files/zsh" },
    ]);
    expect(existsSync(join(repo.dir, "files/git/secret.txt"))).toBe(false);
    expect(repo.read("dotops.yaml")).toContain("home/stow.yaml");

    await git(repo.dir, "add", "-A");
    await git(repo.dir, "commit", "-qm", "import stow");
    const a = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(a.exitCode, a.stderr).toBe(0);
    const expected = await stowHome(tree);
    expect(expected[".zshrc"]).toBe("export A=1\n");
    expect(expected.README).toBeDefined();
    expect(seen(home)).toEqual(expected);
    expect(statSync(join(home, "bin/tool")).mode & 0o111).toBe(0o111);
  });

  it("the repo is the stow directory: packages referenced in place, per part where stow ignores something", async () => {
    const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "user-config.yaml": "user: {}\n" });
    build(repo.dir, STOW_TREE);
    await git(repo.dir, "add", "-A");
    await git(repo.dir, "commit", "-qm", "packages");
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "import", "stow", repo.dir], { home, cwd: repo.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const yaml = parse(repo.read("home/stow.yaml")) as { files: { target: string; source: string }[] };
    expect(yaml.files).toEqual([
      { target: "~", source: "bin" },
      { target: "~/.gitconfig", source: "git/.gitconfig" },
      { target: "~/README", source: "git/README" },
      { target: "~/.config/nvim/init.lua", source: "nvim/.config/nvim/init.lua" },
      { target: "~/.config/nvim/lua", source: "nvim/.config/nvim/lua" },
      { target: "~/.zsh", source: "zsh/.zsh" },
      { target: "~/.zshrc", source: "zsh/.zshrc" },
    ]);
    await git(repo.dir, "add", "-A");
    await git(repo.dir, "commit", "-qm", "import stow");
    const a = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(a.exitCode, a.stderr).toBe(0);
    expect(seen(home)).toEqual(await stowHome(repo.dir));
  });

  it("refuses a file where a directory is needed, and existing output without --force", async () => {
    const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "user-config.yaml": "user: {}\n" });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "import", "stow", join(repo.dir, "dotops.yaml")], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("is not a directory");
    const tree = tempDir("stow-dir-");
    build(tree, { "zsh/.zshrc": "a\n" });
    expect((await dotops(["--repo", repo.dir, "import", "stow", tree], { home })).exitCode).toBe(0);
    const again = await dotops(["--repo", repo.dir, "import", "stow", tree], { home });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("exist");
  });
});

describe("import chezmoi", () => {
  it("converts source-state names, templates and run scripts; lists what it cannot with the reason", async () => {
    const src = tempDir("chezmoi-src-");
    build(src, {
      dot_zshrc: "export A=1\n",
      "private_dot_ssh/private_config": "Host *\n",
      "dot_config/exact_nvim/init.lua": "-- nvim\n",
      "dot_local/bin/executable_hello": "#!/bin/sh\necho hello\n",
      "dot_config/readonly_locked": "ro\n",
      empty_dot_hushlogin: "",
      dot_empty_without_attr: "",
      "dot_gitconfig.tmpl":
        "[user]\n\temail = {{ .email }}\n[host]\n\tname = {{ .chezmoi.hostname }}\n\tos = {{ .chezmoi.os }}\n\twork = {{ .workDir }}\n",
      "dot_bashrc.tmpl": '{{ if eq .chezmoi.os "darwin" }}export MAC=1{{ end }}\n',
      symlink_dot_vimrc: "/etc/vimrc\n",
      "encrypted_private_dot_netrc.age": "age-encryption.org/v1 ...\n",
      modify_dot_profile: "#!/bin/sh\ncat\n",
      "run_once_install-tools.sh": "#!/bin/sh\necho installed >> $HOME/tools.log\n",
      "run_onchange_after_sync.sh": "#!/bin/sh\necho synced >> $HOME/sync.log\n",
      "run_always.sh": "#!/bin/sh\necho always >> $HOME/always.log\n",
      ".chezmoiscripts/run_once_before_prepare.sh": "#!/bin/sh\necho prepared >> $HOME/prep.log\n",
      ".chezmoiignore": "README.md\n",
      "README.md": "my dotfiles\n",
      ".chezmoidata.yaml": "email: a@example.com\n",
    });
    const repo = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "user-config.yaml": "user: { email: a@example.com }\nvars: { workDir: ~/work }\n",
    });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "--json", "import", "chezmoi", src], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      counts: Record<string, number>;
      skipped: { path: string; reason: string }[];
      notes: string[];
    };
    const reason = (p: string) => out.skipped.find((s) => s.path === p)?.reason;
    expect(reason("encrypted_private_dot_netrc.age")).toMatch(
      /^encrypted \(age\/gpg\): dotops does not decrypt; decrypt it to ~\/\.netrc and/,
    );
    expect(reason("dot_bashrc.tmpl")).toContain('{{ if eq .chezmoi.os "darwin" }}');
    expect(reason("modify_dot_profile")).toContain("modify_");
    expect(reason("README.md")).toContain("ignored by .chezmoiignore");
    expect(reason("dot_empty_without_attr")).toContain("empty");
    expect(reason(".chezmoidata.yaml")).toContain("template data");
    expect(out.notes.join("\n")).toContain("~/.config/nvim: exact_");
    expect(out.notes.join("\n")).toContain("vars.workDir");
    expect(out.counts).toEqual({ files: 6, templates: 1, symlinks: 1, scripts: 4 });

    const yaml = parse(repo.read("home/chezmoi.yaml")) as {
      files: Record<string, string>[];
      scripts: Record<string, string>[];
    };
    expect(yaml.files).toContainEqual({ target: "~/.zshrc", source: "files/zshrc" });
    expect(yaml.files).toContainEqual({
      target: "~/.ssh/config",
      source: "files/ssh/config",
      mode: "copy",
      permissions: "0600",
    });
    expect(yaml.files).toContainEqual({
      target: "~/.gitconfig",
      source: "files/gitconfig",
      mode: "template",
    });
    expect(yaml.files).toContainEqual({ target: "~/.vimrc", source: "files/vimrc", symlinks: "keep" });
    expect(yaml.scripts).toEqual([
      { name: "prepare.sh", run: "once", script: "scripts/prepare.sh" },
      { name: "always.sh", run: "always", script: "scripts/always.sh" },
      { name: "install-tools.sh", run: "once", script: "scripts/install-tools.sh" },
      { name: "sync.sh", run: "onchange", script: "scripts/sync.sh" },
    ]);

    await git(repo.dir, "add", "-A");
    await git(repo.dir, "commit", "-qm", "import chezmoi");
    const a = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(a.exitCode, a.stderr).toBe(0);
    const h = (p: string) => join(home, p);
    expect(readFileSync(h(".zshrc"), "utf8")).toBe("export A=1\n");
    expect(readFileSync(h(".config/nvim/init.lua"), "utf8")).toBe("-- nvim\n");
    expect(statSync(h(".ssh/config")).mode & 0o777).toBe(0o600);
    expect(statSync(h(".config/locked")).mode & 0o222).toBe(0);
    expect(statSync(h(".local/bin/hello")).mode & 0o111).toBe(0o111);
    expect(readFileSync(h(".hushlogin"), "utf8")).toBe("");
    expect(existsSync(h(".empty_without_attr"))).toBe(false);
    expect(readlinkSync(h(".vimrc"))).toBe("/etc/vimrc");
    expect(lstatSync(h(".vimrc")).isSymbolicLink()).toBe(true);
    expect(readFileSync(h(".gitconfig"), "utf8")).toBe(
      "[user]\n\temail = a@example.com\n[host]\n\tname = box\n\tos = linux\n\twork = ~/work\n",
    );
    expect(existsSync(h(".netrc"))).toBe(false);
    for (const log of ["tools.log", "sync.log", "always.log", "prep.log"])
      expect(existsSync(h(log)), log).toBe(true);
  });
});
