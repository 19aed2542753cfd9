/**
 * What real dotfiles repos need from `files:` (issue 12), through the real CLI
 * with real git repos and a sandbox HOME: whole trees, ignores, per-host
 * entries, templates with logic, directory permissions and exact directories,
 * executable bits, and commands run from a subdirectory of the repo.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, sandbox } from "./helpers.js";

const ENTRY = (files: string, hosts = "  box:\n    platform: linux\n") =>
  `version: 1\nimports: [home/*.yaml]\nhosts:\n${hosts}files:\n${files}`;

async function setup(files: Record<string, string>, prepare?: (dir: string) => void) {
  const repo = await ConfigRepo.create(files);
  if (prepare) {
    prepare(repo.dir);
    await repo.commit({}, "links and modes");
  }
  const { home, state } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.exitCode, `dotops ${args.join(" ")}\n${r.stderr}`).toBe(0);
    return r;
  };
  const read = (rel: string) => readFileSync(join(home, rel), "utf8");
  return { repo, home, state, run, ok, read };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("a home mirror at the repo's root (the shape of mathiasbynens/dotfiles)", () => {
  // That repo is HOME itself plus bootstrap.sh, README.md and LICENSE-MIT.txt, which its
  // bootstrap's rsync leaves out; .gitignore and .gitattributes are HOME's (its .gitconfig
  // names ~/.gitignore as core.excludesfile); .macos is executable; bin/subl links out of the repo.
  const mirror = {
    "dotops.yaml": ENTRY("  - { target: ~, source: ., ignore: ['*.swp'] }\n"),
    ".dotopsignore": "# what bootstrap.sh's rsync excludes\nbootstrap.sh\nREADME.md\nLICENSE-MIT.txt\n.osx\n",
    ".bashrc": "source ~/.bash_profile\n",
    ".bash_profile": "for f in ~/.{exports,aliases}; do source $f; done\n",
    ".gitconfig": "[core]\n  excludesfile = ~/.gitignore\n",
    ".gitignore": ".DS_Store\n",
    ".gitattributes": "* text=auto\n",
    ".macos": "#!/usr/bin/env bash\necho macos\n",
    ".vim/colors/solarized.vim": '" solarized\n',
    ".vim/backups/.gitkeep": "",
    "bootstrap.sh": "#!/usr/bin/env bash\nrsync . ~\n",
    "README.md": "# dotfiles\n",
    "LICENSE-MIT.txt": "MIT\n",
    "home/extra.yaml": "vars: { who: me }\n",
  };
  const links = (dir: string) => {
    chmodSync(join(dir, ".macos"), 0o755);
    chmodSync(join(dir, "bootstrap.sh"), 0o755);
    mkdirSync(join(dir, "bin"));
    symlinkSync("/Applications/Sublime Text.app/Contents/SharedSupport/bin/subl", join(dir, "bin/subl"));
  };

  it("maps the whole repo onto HOME, leaving out the repo's own files and what .dotopsignore names", async () => {
    const { home, ok, read } = await setup(mirror, links);
    await ok("apply");
    expect(read(".bashrc")).toBe("source ~/.bash_profile\n");
    expect(read(".gitignore")).toBe(".DS_Store\n");
    expect(read(".gitattributes")).toBe("* text=auto\n");
    expect(read(".vim/colors/solarized.vim")).toBe('" solarized\n');
    expect(existsSync(join(home, ".vim/backups/.gitkeep"))).toBe(true);
    // The repo's own files and the ignored ones stay in the repo.
    for (const own of [
      "dotops.yaml",
      ".dotopsignore",
      "home",
      "bootstrap.sh",
      "README.md",
      "LICENSE-MIT.txt",
    ])
      expect(existsSync(join(home, own)), own).toBe(false);
    // The executable bit from Git is kept, through the link into the store.
    expect(lstatSync(join(home, ".macos")).isSymbolicLink()).toBe(true);
    expect(mode(join(home, ".macos")) & 0o111).toBe(0o111);
    expect(mode(join(home, ".bashrc")) & 0o111).toBe(0);
    expect((await execa(join(home, ".macos"))).stdout).toBe("macos");
    // Patterns that match nothing are warnings, not errors; so is the link out of the repo.
    const r = await ok("check");
    expect(r.stderr).toContain('warning: .dotopsignore:5:1: .dotopsignore pattern ".osx" matches nothing');
    expect(r.stderr).toMatch(
      /warning: dotops\.yaml:7:\d+: ignore pattern "\*\.swp" matches nothing in \. \(at files\[0\]\.ignore\[0\]\)/,
    );
    expect(r.stderr).toContain("skipped bin/subl (inside .): a symlink to /Applications/");
    expect(existsSync(join(home, "bin/subl"))).toBe(false);
  });

  it("an explicit entry for a path inside the tree wins over the tree's file", async () => {
    const { read, ok } = await setup({
      ...mirror,
      "dotops.yaml": ENTRY(
        '  - { target: ~, source: . }\n  - { target: ~/.bashrc, text: "# mine\\n" }\n  - { target: ~/.vim/colors, source: colors }\n',
      ),
      "colors/solarized.vim": '" from colors/\n',
    });
    await ok("apply");
    expect(read(".bashrc")).toBe("# mine\n");
    expect(read(".vim/colors/solarized.vim")).toBe('" from colors/\n');
    expect(read(".bash_profile")).toContain("source $f");
  });

  it("commands work from any subdirectory of the repo, as git does", async () => {
    const { repo, home } = await setup(mirror, links);
    const sub = join(repo.dir, ".vim/colors");
    const r = await dotops(["apply"], { home, cwd: sub });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".bashrc"), "utf8")).toBe("source ~/.bash_profile\n");
    const status = await dotops(["--json", "generations"], { home, cwd: join(repo.dir, "home") });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toHaveLength(1);

    // A Git repo of its own below the config repo (a project checked out there) is not part of it.
    const project = join(repo.dir, "work/project");
    mkdirSync(project, { recursive: true });
    await git(project, "init", "-q");
    const inside = await dotops(["check"], { home, cwd: project });
    expect(inside.exitCode).toBe(2);
    expect(inside.stderr).toContain(`error: no config repo: there is no dotops.yaml in ${project}`);
  });
});

describe("a tree beside the config that reads it (home/ holds both HOME's files and home/*.yaml)", () => {
  const hosts = "  box:\n    platform: linux\n  mac:\n    platform: darwin\n    imports: [hosts/mac.yaml]\n";
  const files = {
    "dotops.yaml": ENTRY("  - { target: ~, source: home }\n", hosts),
    "home/files.yaml":
      'files:\n  - { target: ~/.gitconfig.local, text: "common\\n" }\n  - { target: ~/.linux-only, text: "l\\n", platform: linux }\n  - { target: ~/.mac-only, text: "m\\n", hosts: [mac] }\n',
    "home/.zshrc": "# zsh\n",
    "hosts/mac.yaml": 'files:\n  - { target: ~/.gitconfig.local, text: "mac\\n" }\n',
  };

  it("selects entries by host and platform, and a host's imports replace a common entry by target", async () => {
    const repo = await ConfigRepo.create(files);
    const apply = async (host: string) => {
      const { home } = sandbox();
      const r = await dotops(["--repo", repo.dir, "--host", host, "apply"], { home });
      expect(r.exitCode, r.stderr).toBe(0);
      return (rel: string) =>
        existsSync(join(home, rel)) ? readFileSync(join(home, rel), "utf8") : undefined;
    };
    const box = await apply("box");
    expect(box(".zshrc")).toBe("# zsh\n");
    expect(box("files.yaml")).toBeUndefined(); // config is not deployed from the tree it lies in
    expect(box(".gitconfig.local")).toBe("common\n");
    expect(box(".linux-only")).toBe("l\n");
    expect(box(".mac-only")).toBeUndefined();
    const mac = await apply("mac");
    expect(mac(".gitconfig.local")).toBe("mac\n");
    expect(mac(".linux-only")).toBeUndefined();
    expect(mac(".mac-only")).toBe("m\n");
  });

  it("two common entries for one target are still a conflict naming both", async () => {
    const repo = await ConfigRepo.create({
      ...files,
      "home/more.yaml": 'files:\n  - { target: ~/.gitconfig.local, text: "other\\n" }\n',
    });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("~/.gitconfig.local is managed twice (also at home/files.yaml:2:5)");
  });

  it("a host name that is not in dotops.yaml is an error at its file:line", async () => {
    const repo = await ConfigRepo.create({
      ...files,
      "home/files.yaml": "files:\n  - { target: ~/.x, text: x, hosts: [mac, laptop] }\n",
    });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'home/files.yaml:2:43: host "laptop" is not in dotops.yaml; hosts: box, mac [hosts box, mac] (at files[1].hosts[1])',
    );
  });

  it("ignore on a file source is an error naming the option", async () => {
    const repo = await ConfigRepo.create({
      ...files,
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: home/.zshrc, ignore: [x] }\n",
    });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "home/files.yaml:2:46: ignore applies to a directory source; ~/.zshrc is a file",
    );
  });
});

describe("templates with logic (Liquid)", () => {
  const tmpl = [
    "email = {{ user.email }}",
    "{% if os == 'linux' %}open = xdg-open{% else %}open = open{% endif %}",
    "{% assign paths = vars.paths | split: ':' %}{% for p in paths %}path = {{ p }}\n{% endfor %}editor = {{ 'EDITOR' | env | default: 'vi' }}",
    "shell = {{ 'DOTOPS_TEST_SHELL' | env }}",
    "git = {{ 'git' | lookPath }}",
    "{% assign nope = 'no-such-tool-dotops' | lookPath %}nope = {% if nope %}found{% else %}missing{% endif %}",
    "version = {{ 'git' | output: '--version' }}",
    "host = {{ hostname }} ({{ host.name }})",
    'literal = {{ "{{" }} and {% raw %}{{ user.email }}{% endraw %}',
    "",
  ].join("\n");
  const files = {
    "dotops.yaml": ENTRY("  - { target: ~/.config/app/conf, source: files/conf.tmpl, mode: template }\n"),
    "home/user.yaml": "user: { email: a@example.com }\nvars: { paths: '/opt/a:/opt/b' }\n",
    "files/conf.tmpl": tmpl,
  };

  it("renders conditionals, loops and the machine's functions at apply", async () => {
    const repo = await ConfigRepo.create(files);
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "apply"], { home, env: { DOTOPS_TEST_SHELL: "zsh" } });
    expect(r.exitCode, r.stderr).toBe(0);
    const git = (await execa("which", ["git"])).stdout;
    const version = (await execa("git", ["--version"])).stdout;
    expect(readFileSync(join(home, ".config/app/conf"), "utf8")).toBe(
      [
        "email = a@example.com",
        "open = xdg-open",
        "path = /opt/a\npath = /opt/b\neditor = vi",
        "shell = zsh",
        `git = ${git}`,
        "nope = missing",
        `version = ${version}`,
        `host = ${hostname().split(".")[0]} (box)`,
        "literal = {{ and {{ user.email }}",
        "",
      ].join("\n"),
    );
  });

  it("check and plan --from --to (no machine) render placeholders instead of asking the machine", async () => {
    const repo = await ConfigRepo.create(files);
    const first = await repo.head();
    await repo.commit({
      "home/user.yaml": "user: { email: b@example.com }\nvars: { paths: /opt/a }\n",
      "files/conf.tmpl":
        "email = {{ user.email }}\ngit = {{ 'git' | lookPath }}\nversion = {{ 'git' | output: '--version' }}\nhost = {{ hostname }}\n",
    });
    const { home } = sandbox();
    const check = await dotops(["--repo", repo.dir, "check"], { home });
    expect(check.exitCode, check.stderr).toBe(0);
    const plan = await dotops(["--repo", repo.dir, "plan", "--from", first, "--to", "HEAD", "--diff"], {
      home,
    });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("+email = b@example.com");
    expect(plan.stdout).toMatch(/^ {7}git = «lookPath git»$/m);
    expect(plan.stdout).toMatch(/^ {7}version = «output git --version»$/m);
    expect(plan.stdout).toContain("+host = «hostname»");
  });

  it("an undefined name is an error at the template's file:line:col", async () => {
    const repo = await ConfigRepo.create({
      ...files,
      "files/conf.tmpl": "a\n{% if os == 'linux' %}\n  x = {{ vars.nope }}\n{% endif %}\n",
    });
    const { home } = sandbox();
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("files/conf.tmpl:3:7: undefined template value {{ vars.nope }} (known: ");
  });

  it("a template syntax error, an unknown function and a failing command are errors at file:line", async () => {
    const cases = [
      ["{% if x %}\nno end\n", "files/conf.tmpl:1:1: template: tag {% if x %} not closed"],
      ["ok\n{{ 'x' | lookpath }}\n", "files/conf.tmpl:2:1: undefined filter: lookpath"],
      [
        "ok\n\n{{ 'git' | output: 'no-such-subcommand' }}\n",
        "files/conf.tmpl:3:1: output of `git no-such-subcommand`: it exited 1 (git: 'no-such-subcommand' is not a git command.",
      ],
    ];
    for (const [text, error] of cases) {
      const repo = await ConfigRepo.create({ ...files, "files/conf.tmpl": text as string });
      const { home } = sandbox();
      const r = await dotops(["--repo", repo.dir, "apply"], { home });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(error);
      expect(readdirSync(home).filter((n) => n !== ".local")).toEqual([]);
    }
  });
});

describe("directory attributes", () => {
  it("permissions on a directory entry: the directory's mode, private files inside; put back on revert", async () => {
    const { repo, home, ok } = await setup({
      "dotops.yaml": ENTRY(
        '  - { target: ~/.gnupg, source: files/gnupg, mode: copy, permissions: "0700" }\n  - { target: ~/.ssh, source: files/ssh, permissions: "0700" }\n',
      ),
      "files/gnupg/gpg-agent.conf": "default-cache-ttl 600\n",
      "files/ssh/config": "Host *\n",
    });
    // The user's ~/.ssh is there already, open and with their own file.
    mkdirSync(join(home, ".ssh"), { mode: 0o755 });
    chmodSync(join(home, ".ssh"), 0o755);
    writeFileSync(join(home, ".ssh/known_hosts"), "github.com ssh-ed25519 AAAA\n");
    await ok("apply");
    expect(mode(join(home, ".gnupg"))).toBe(0o700);
    expect(mode(join(home, ".gnupg/gpg-agent.conf"))).toBe(0o600);
    expect(mode(join(home, ".ssh"))).toBe(0o700);
    expect(readlinkSync(join(home, ".ssh/config"))).toContain("/.local/state/dotops/");
    expect((await ok("plan")).stdout).toContain("No changes");

    await repo.commit({ "dotops.yaml": ENTRY("  - { target: ~/.gitconfig, text: x }\n") });
    await ok("apply");
    expect(existsSync(join(home, ".gnupg"))).toBe(false);
    expect(mode(join(home, ".ssh"))).toBe(0o755);
    expect(readFileSync(join(home, ".ssh/known_hosts"), "utf8")).toBe("github.com ssh-ed25519 AAAA\n");
  });

  it("permissions a directory cannot be entered with are an error", async () => {
    const { run } = await setup({
      "dotops.yaml": ENTRY('  - { target: ~/.gnupg, source: files/gnupg, permissions: "0600" }\n'),
      "files/gnupg/gpg.conf": "x\n",
    });
    const r = await run("check");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'dotops.yaml:7:46: permissions "0600" would lock you out of directory ~/.gnupg: a directory needs the owner\'s x bit',
    );
  });

  it("exact: true removes what dotops does not manage inside, as a destructive step, into the trash", async () => {
    const { repo, home, state, run, ok } = await setup({
      "dotops.yaml": ENTRY("  - { target: ~/.config/fish/conf.d, source: files/conf.d, exact: true }\n"),
      "files/conf.d/aliases.fish": "alias ll 'ls -l'\n",
      "files/conf.d/sub/path.fish": "set PATH x\n",
    });
    await ok("apply");
    // Later, a plugin manager drops files in; one stale file of dotops' own goes by removal.
    writeFileSync(join(home, ".config/fish/conf.d/plugin.fish"), "# plugin\n");
    writeFileSync(join(home, ".config/fish/conf.d/sub/stray.fish"), "# stray\n");
    await repo.commit({ "files/conf.d/sub/path.fish": null, "files/conf.d/sub/env.fish": "set -x A 1\n" });

    const refused = await run("apply");
    expect(refused.exitCode, refused.stderr).toBe(4);
    expect(refused.stderr).toContain("destructive");
    expect(existsSync(join(home, ".config/fish/conf.d/plugin.fish"))).toBe(true);

    const applied = await ok("apply", "--allow-destructive");
    expect(applied.stdout).toContain("exact: removes plugin.fish, which dotops does not manage");
    expect(readdirSync(join(home, ".config/fish/conf.d")).sort()).toEqual(["aliases.fish", "sub"]);
    expect(readdirSync(join(home, ".config/fish/conf.d/sub"))).toEqual(["env.fish"]);
    const [runDir] = readdirSync(join(state, "trash"));
    const trashed = join(state, "trash", runDir as string, ".config/fish/conf.d");
    expect(readFileSync(join(trashed, "plugin.fish"), "utf8")).toBe("# plugin\n");
    expect(readFileSync(join(trashed, "sub/stray.fish"), "utf8")).toBe("# stray\n");
    expect((await ok("plan")).stdout).toContain("No changes");
  });
});

describe("executable bits from Git", () => {
  it("are kept on copies, and on the store files links lead to", async () => {
    const { home, ok } = await setup(
      {
        "dotops.yaml": ENTRY(
          "  - { target: ~/.local/bin, source: bin, mode: copy }\n  - { target: ~/.local/libexec, source: bin }\n",
        ),
        "bin/tool": "#!/bin/sh\necho tool\n",
        "bin/data.txt": "data\n",
      },
      (dir) => chmodSync(join(dir, "bin/tool"), 0o755),
    );
    await ok("apply");
    expect(mode(join(home, ".local/bin/tool"))).toBe(0o755);
    expect(mode(join(home, ".local/bin/data.txt"))).toBe(0o644);
    expect(mode(join(home, ".local/libexec/tool")) & 0o111).toBe(0o111);
    expect((await execa(join(home, ".local/libexec/tool"))).stdout).toBe("tool");
  });
});
