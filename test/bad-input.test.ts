import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, git, minimalConfig, sandbox, tempDir } from "./helpers.js";

/**
 * Bad input through the real CLI on real Git repos: every case exits with the
 * documented code, says what and where, and leaves HOME exactly as it was.
 */

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

/** Every entry under `dir`: type, permissions, content or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(dir, r);
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${readFileSync(abs, "utf8")}`;
    }
  };
  walk("");
  return out;
}

function generations(state: string): string[] {
  const dir = join(state, "generations");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** A sandbox HOME plus a state dir outside it, so "HOME untouched" can be checked exactly. */
function machine() {
  const { root, home } = sandbox();
  const state = join(root, "state");
  return { root, home, state };
}

async function run(repo: ConfigRepo | string, home: string, args: string[], state?: string) {
  const dir = typeof repo === "string" ? repo : repo.dir;
  return dotops(["--repo", dir, ...(state ? ["--state", state] : []), ...args], { home });
}

interface InvalidCase {
  name: string;
  files: Record<string, string>;
  /** Extra setup in the repo's work tree before committing (symlinks). */
  setup?: (dir: string) => void;
  /** The first error line, exactly: file:line:col, message, schema path. */
  error: string;
  problem: { message?: string; origin?: { file: string; line: number; col: number }; path?: string };
}

const files = (yaml: string, extra: Record<string, string> = {}) => ({
  "dotops.yaml": ENTRY,
  "home/files.yaml": yaml,
  "files/zshrc": "export EDITOR=nvim\n",
  ...extra,
});

const INVALID: InvalidCase[] = [
  {
    name: "malformed YAML",
    files: files("files:\n  - target: ~/.zshrc\n    source: files/zshrc: extra\n"),
    error: "home/files.yaml:3:13: invalid YAML: Nested mappings are not allowed in compact mappings",
    problem: { origin: { file: "home/files.yaml", line: 3, col: 13 } },
  },
  {
    name: "a duplicate key",
    files: files("files:\n  - target: ~/.zshrc\n    source: files/zshrc\n    target: ~/.bashrc\n"),
    error: "home/files.yaml:4:5: invalid YAML: Map keys must be unique",
    problem: {
      message: "invalid YAML: Map keys must be unique",
      origin: { file: "home/files.yaml", line: 4, col: 5 },
    },
  },
  {
    name: "an unknown top-level key",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\nfile:\n  - { target: ~/.x, text: x }\n",
    ),
    error: 'home/files.yaml:3:1: unknown key "file" (at file)',
    problem: {
      message: 'unknown key "file"',
      path: "file",
      origin: { file: "home/files.yaml", line: 3, col: 1 },
    },
  },
  {
    name: "an unknown key inside a files entry",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - target: ~/.x\n    text: x\n    owner: root\n",
    ),
    error: 'home/files.yaml:5:5: unknown key "owner" (at files[1].owner)',
    problem: { path: "files[1].owner", origin: { file: "home/files.yaml", line: 5, col: 5 } },
  },
  {
    name: "permissions as a number",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - target: ~/.ssh/config\n    text: x\n    mode: copy\n    permissions: 600\n",
    ),
    error: "home/files.yaml:6:5: Invalid input: expected string, received number (at files[1].permissions)",
    problem: { path: "files[1].permissions", origin: { file: "home/files.yaml", line: 6, col: 5 } },
  },
  {
    name: "mode: hardlink",
    files: files("files:\n  - { target: ~/.zshrc, source: files/zshrc, mode: hardlink }\n"),
    error:
      'home/files.yaml:2:46: Invalid option: expected one of "link"|"copy"|"template"|"block" (at files[0].mode)',
    problem: { path: "files[0].mode", origin: { file: "home/files.yaml", line: 2, col: 46 } },
  },
  {
    name: "hosts in an imported file",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\nhosts:\n  other: { platform: linux }\n",
    ),
    error: 'home/files.yaml:3:1: "hosts" belongs in dotops.yaml, not in an imported file (at hosts)',
    problem: { path: "hosts", origin: { file: "home/files.yaml", line: 3, col: 1 } },
  },
  {
    name: "a missing imported file",
    files: {
      ...files("files:\n  - { target: ~/.zshrc, source: files/zshrc }\n"),
      "dotops.yaml":
        "version: 1\nimports:\n  - home/*.yaml\n  - user-config.yaml\nhosts:\n  box:\n    platform: linux\n",
    },
    error: "dotops.yaml:4:5: imported file user-config.yaml does not exist in commit ",
    problem: { path: "imports[1]", origin: { file: "dotops.yaml", line: 4, col: 5 } },
  },
  {
    name: "a missing files/ source",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.vimrc, source: files/vimrc }\n",
    ),
    error: "home/files.yaml:3:25: source files/vimrc does not exist in commit ",
    problem: { path: "files[1].source", origin: { file: "home/files.yaml", line: 3, col: 25 } },
  },
  {
    name: "a source that is a symlink loop in the repo",
    files: files(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.vimrc, source: files/vimrc }\n",
    ),
    setup: (dir) => {
      symlinkSync("vimrc2", join(dir, "files/vimrc"));
      symlinkSync("vimrc", join(dir, "files/vimrc2"));
    },
    error: "home/files.yaml:3:25: source files/vimrc is a symlink loop in commit ",
    problem: { path: "files[1].source", origin: { file: "home/files.yaml", line: 3, col: 25 } },
  },
  ...[
    ["../x", "climbs out of HOME with .."],
    ["~/../x", "climbs out of HOME with .."],
    ["/etc/x", "is outside HOME"],
    ["~otheruser/x", "names another user's home"],
  ].map(
    ([target, why]): InvalidCase => ({
      name: `target ${target}`,
      files: files(
        `files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - target: "${target}"\n    text: x\n`,
      ),
      error: `home/files.yaml:3:5: target "${target}" ${why}`,
      problem: { path: "files[1].target", origin: { file: "home/files.yaml", line: 3, col: 5 } },
    }),
  ),
  {
    name: "an undefined template value",
    files: files("files:\n  - { target: ~/.gitconfig, source: files/gitconfig, mode: template }\n", {
      "files/gitconfig": "[user]\n  name = {{ user.name }}\n",
    }),
    error: "files/gitconfig:2:10: undefined template value {{ user.name }} (known: host.name, host.platform)",
    problem: { origin: { file: "files/gitconfig", line: 2, col: 10 } },
  },
  {
    name: "permissions without mode: copy",
    files: files('files:\n  - { target: ~/.zshrc, source: files/zshrc, permissions: "0600" }\n'),
    error:
      "home/files.yaml:2:46: permissions need mode: copy (links point into the read-only store) (at files[0].permissions)",
    problem: { path: "files[0].permissions", origin: { file: "home/files.yaml", line: 2, col: 46 } },
  },
];

describe("invalid config: exit 2, file:line:col, nothing on disk", () => {
  it.each(INVALID)("$name", async (c) => {
    const repo = new ConfigRepo(tempDir("dotops-repo-"));
    await git(repo.dir, "init", "-q", "-b", "main");
    repo.write(c.files);
    c.setup?.(repo.dir);
    await repo.commit({});
    const { home } = sandbox(); // default state dir, inside HOME: it must not even be created
    writeFileSync(join(home, ".zshrc"), "mine\n");
    const before = snapshot(home);

    // None of these writes anything, so they may as well run side by side.
    const [apply, plan, check, json] = await Promise.all([
      run(repo, home, ["apply"]),
      run(repo, home, ["plan"]),
      run(repo, home, ["check"]),
      run(repo, home, ["--json", "check"]),
    ]);
    expect(apply.exitCode, apply.stderr).toBe(2);
    expect(apply.stderr.split("\n")[0]).toContain(`error: ${c.error}`);
    expect(plan.exitCode).toBe(2);
    expect(plan.stderr).toContain(c.error);

    expect(check.exitCode).toBe(2);
    expect(check.stdout).toBe("");
    expect(check.stderr).toContain("[host box]");
    expect(check.stderr.replace(" [host box]", "")).toContain(c.error);

    expect(json.exitCode).toBe(2);
    const out = JSON.parse(json.stdout) as {
      error: { exitCode: number; message: string; problems: unknown[] };
    };
    expect(out.error.exitCode).toBe(2);
    expect(out.error.message).toContain(c.problem.origin ? `${c.problem.origin.file}:` : "");
    const { message, ...where } = c.problem;
    expect(out.error.problems[0]).toMatchObject(
      message ? { ...where, message: `${message} [host box]` } : where,
    );

    expect(snapshot(home)).toEqual(before);
  });

  it("apply --json on an invalid config: the error on stdout, with its problems", async () => {
    const repo = await ConfigRepo.create(
      files("files:\n  - { target: ~/.zshrc, source: files/zshrc, mode: hardlink }\n"),
    );
    const { home } = sandbox();
    const r = await run(repo, home, ["--json", "apply"]);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        message:
          'home/files.yaml:2:46: Invalid option: expected one of "link"|"copy"|"template"|"block" (at files[0].mode)',
        exitCode: 2,
        problems: [
          {
            message: 'Invalid option: expected one of "link"|"copy"|"template"|"block"',
            origin: { file: "home/files.yaml", line: 2, col: 46 },
            path: "files[0].mode",
          },
        ],
      },
    });
    expect(readdirSync(home)).toEqual([]);
  });

  it("an invalid commit after a good one changes nothing and records no generation", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    expect((await run(repo, home, ["apply"])).exitCode).toBe(0);
    const before = snapshot(home);
    await repo.commit({ "home/files.yaml": "files:\n  - { target: /etc/zshrc, source: files/zshrc }\n" });
    const r = await run(repo, home, ["apply"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('home/files.yaml:2:7: target "/etc/zshrc" is outside HOME');
    expect(snapshot(home)).toEqual(before);
    expect(generations(state)).toEqual(["1"]);
  });
});

describe("paths in the way: exit 4 unless --backup", () => {
  async function repoWith(yaml: string, extra: Record<string, string> = {}) {
    return ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "home/files.yaml": yaml,
      "files/zshrc": "export EDITOR=nvim\n",
      "files/app.conf": "color = true\n",
      ...extra,
    });
  }

  it("a parent in HOME that links to a directory outside HOME: refused, even with --backup", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.config/app/conf, source: files/app.conf }\n");
    const { root, home, state } = machine();
    const outside = join(root, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(home, ".config"));
    const before = snapshot(home);

    for (const args of [["apply"], ["apply", "--backup"]]) {
      const r = await run(repo, home, args, state);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toContain(
        `~/.config/app/conf: ${home}/.config is a symlink to ${realpathSync(outside)}, outside HOME; dotops will not write through it`,
      );
      expect(readdirSync(outside)).toEqual([]);
      expect(snapshot(home)).toEqual(before);
      expect(generations(state)).toEqual([]);
    }
  });

  it("a parent that is a symlink loop: refused; --backup moves the loop aside", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.vim/colors/theme.vim, source: files/app.conf }\n");
    const { home, state } = machine();
    symlinkSync("loop-b", join(home, ".vim"));
    symlinkSync(".vim", join(home, "loop-b"));
    const before = snapshot(home);

    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain(`~/.vim/colors/theme.vim: ${home}/.vim is a symlink loop`);
    expect(r.stderr).toContain("hint: nothing was changed");
    expect(snapshot(home)).toEqual(before);
    expect(generations(state)).toEqual([]);

    const b = await run(repo, home, ["apply", "--backup"], state);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(readlinkSync(join(home, ".vim.dotops-backup"))).toBe("loop-b");
    expect(readFileSync(join(home, ".vim/colors/theme.vim"), "utf8")).toBe("color = true\n");
  });

  it("a regular file where a directory is needed: refused naming it; --backup keeps it", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.config/app/conf, source: files/app.conf }\n");
    const { home, state } = machine();
    writeFileSync(join(home, ".config"), "my settings\n");
    const before = snapshot(home);

    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain(
      "~/.config: ~/.config exists and is a file that dotops does not manage; move it away, or rerun with --backup",
    );
    expect(snapshot(home)).toEqual(before);
    expect(generations(state)).toEqual([]);

    const b = await run(repo, home, ["apply", "--backup"], state);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stdout).toContain("moves a file at ~/.config to ~/.config.dotops-backup");
    expect(readFileSync(join(home, ".config.dotops-backup"), "utf8")).toBe("my settings\n");
    expect(lstatSync(join(home, ".config")).isDirectory()).toBe(true);
    expect(readFileSync(join(home, ".config/app/conf"), "utf8")).toBe("color = true\n");
    expect(generations(state)).toEqual(["1"]);
  });

  it("a directory where a file is expected: refused naming it; --backup keeps it whole", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.zshrc, source: files/zshrc }\n");
    const { home, state } = machine();
    mkdirSync(join(home, ".zshrc/nested"), { recursive: true });
    writeFileSync(join(home, ".zshrc/nested/keep"), "precious\n");
    const before = snapshot(home);

    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain("~/.zshrc: ~/.zshrc exists and is a directory that dotops does not manage");
    expect(snapshot(home)).toEqual(before);

    const b = await run(repo, home, ["apply", "--backup"], state);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc.dotops-backup/nested/keep"), "utf8")).toBe("precious\n");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
  });

  it("an unmanaged file in the way: refused and untouched; --backup keeps it as .dotops-backup", async () => {
    const repo = await repoWith(
      "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n  - { target: ~/.ssh/config, source: files/app.conf, mode: copy, permissions: '0600' }\n",
    );
    const { home, state } = machine();
    writeFileSync(join(home, ".zshrc"), "my own zshrc\n", { mode: 0o640 });
    mkdirSync(join(home, ".ssh"));
    writeFileSync(join(home, ".ssh/config"), "Host *\n");
    const before = snapshot(home);

    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/refusing to apply: 2 path\(s\) in the way/);
    expect(r.stderr).toContain("~/.zshrc: ~/.zshrc exists and is a file that dotops does not manage");
    expect(r.stderr).toContain(
      "~/.ssh/config: ~/.ssh/config exists and is a file that dotops does not manage",
    );
    expect(snapshot(home)).toEqual(before);
    expect(generations(state)).toEqual([]);

    const b = await run(repo, home, ["apply", "--backup"], state);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc.dotops-backup"), "utf8")).toBe("my own zshrc\n");
    expect(lstatSync(join(home, ".zshrc.dotops-backup")).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(home, ".ssh/config.dotops-backup"), "utf8")).toBe("Host *\n");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(readFileSync(join(home, ".ssh/config"), "utf8")).toBe("color = true\n");
    expect(lstatSync(join(home, ".ssh/config")).mode & 0o777).toBe(0o600);
  });

  it("refuses when the backup itself would overwrite something", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.zshrc, source: files/zshrc }\n");
    const { home, state } = machine();
    writeFileSync(join(home, ".zshrc"), "mine\n");
    writeFileSync(join(home, ".zshrc.dotops-backup"), "an older backup\n");
    const before = snapshot(home);
    const r = await run(repo, home, ["apply", "--backup"], state);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      `~/.zshrc: ~/.zshrc is in the way and its backup ${home}/.zshrc.dotops-backup already exists`,
    );
    expect(snapshot(home)).toEqual(before);
  });

  it("an identical file is replaced silently", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.zshrc, source: files/zshrc }\n");
    const { home, state } = machine();
    writeFileSync(join(home, ".zshrc"), "export EDITOR=nvim\n");
    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("+ link ~/.zshrc (replaces an identical file)");
    expect(readlinkSync(join(home, ".zshrc"))).toBe(join(state, "current/home/.zshrc"));
    expect(readdirSync(home)).toEqual([".zshrc"]);
  });

  it("dry-run of a refused apply is refused too and writes nothing", async () => {
    const repo = await repoWith("files:\n  - { target: ~/.zshrc, source: files/zshrc }\n");
    const { home, state } = machine();
    writeFileSync(join(home, ".zshrc"), "mine\n");
    const before = snapshot(home);
    const r = await run(repo, home, ["apply", "--dry-run"], state);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("~/.zshrc exists and is a file that dotops does not manage");
    expect(snapshot(home)).toEqual(before);
    expect(generations(state)).toEqual([]);
  });
});

describe("names", () => {
  it("unicode and spaces in source and target names apply correctly", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "home/files.yaml":
        'files:\n  - { target: "~/Dokumente/straße notes.txt", source: "files/my file ü.txt" }\n  - { target: "~/日本/設定 ファイル", source: "files/dir ü", mode: copy }\n',
      "files/my file ü.txt": "grüße\n",
      "files/dir ü/a b.conf": "x = 1\n",
    });
    const { home, state } = machine();
    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, "Dokumente/straße notes.txt"), "utf8")).toBe("grüße\n");
    expect(lstatSync(join(home, "Dokumente/straße notes.txt")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(home, "日本/設定 ファイル/a b.conf"), "utf8")).toBe("x = 1\n");
    expect(lstatSync(join(home, "日本/設定 ファイル/a b.conf")).isFile()).toBe(true);
    const again = await run(repo, home, ["apply"], state);
    expect(again.stdout).toMatch(/No changes/);
  });
});

describe("templates", () => {
  it("renders {{ user.email }} into the applied file", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml":
        "version: 1\nimports: [user-config.yaml, home/*.yaml]\nhosts:\n  box:\n    platform: linux\n",
      "user-config.yaml": "user: { name: Alice Example, email: alice@example.com }\n",
      "home/files.yaml": "files:\n  - { target: ~/.gitconfig, source: files/gitconfig, mode: template }\n",
      "files/gitconfig": "[user]\n  name = {{ user.name }}\n  email = {{ user.email }}\n# {{ host.name }}\n",
    });
    const { home, state } = machine();
    const r = await run(repo, home, ["apply"], state);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".gitconfig"), "utf8")).toBe(
      "[user]\n  name = Alice Example\n  email = alice@example.com\n# box\n",
    );
  });
});

describe("hosts", () => {
  const twoHosts = () =>
    ConfigRepo.create({
      "dotops.yaml":
        "version: 1\nimports: [home/*.yaml]\nhosts:\n  alpha-host: { platform: linux }\n  beta-host: { platform: darwin }\n",
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, text: hi }\n",
    });

  it("an unknown --host lists the hosts", async () => {
    const repo = await twoHosts();
    const { home } = sandbox();
    const r = await run(repo, home, ["--host", "gamma", "apply"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: host "gamma" is not in dotops.yaml; hosts: alpha-host, beta-host');
    expect(readdirSync(home)).toEqual([]);
  });

  it("several hosts and none named like this machine: asks for --host", async () => {
    const repo = await twoHosts();
    const { home } = sandbox();
    const r = await run(repo, home, ["plan"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /error: cannot tell which host this is \(hostname "[^"]+"\); pass --host, one of: alpha-host, beta-host/,
    );
    const ok = await run(repo, home, ["--host", "beta-host", "apply"]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("hi");
  });
});

describe("dotops check", () => {
  it("a valid repo: exit 0, every host listed", async () => {
    const repo = await ConfigRepo.create({
      ...minimalConfig(),
      "dotops.yaml":
        "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n  mac:\n    platform: darwin\n    imports: [hosts/mac.yaml]\n",
      "hosts/mac.yaml": "files:\n  - { target: ~/.mac, text: mac }\n",
    });
    const { home } = sandbox();
    const r = await run(repo, home, ["check"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const sha = (await repo.head()).slice(0, 12);
    expect(r.stdout).toBe(
      `ok: commit ${sha} is valid for 2 host(s)\n  box (linux): 4 resources\n  mac (darwin): 5 resources`,
    );
    const json = JSON.parse((await run(repo, home, ["--json", "check"])).stdout);
    expect(json).toMatchObject({
      ok: true,
      source: `commit ${sha}`,
      hosts: [
        { host: "box", platform: "linux", resources: 4 },
        { host: "mac", platform: "darwin", resources: 5 },
      ],
    });
    expect(readdirSync(home)).toEqual([]);
  });

  it("reports the problems of every host, a shared one once", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml":
        "version: 1\nimports: [home/*.yaml]\nhosts:\n  box: { platform: linux, imports: [hosts/box.yaml] }\n  mac: { platform: darwin, imports: [hosts/mac.yaml] }\n",
      "home/files.yaml": "files:\n  - { target: ~/.a, text: a, mode: symlink }\n",
      "hosts/box.yaml": "files:\n  - { target: /etc/box, text: b }\n",
      "hosts/mac.yaml": "files:\n  - { target: ~/.mac, source: files/mac.tmpl, mode: template }\n",
      "files/mac.tmpl": "{{ vars.dock }}\n",
    });
    const { home } = sandbox();
    const r = await run(repo, home, ["--json", "check"]);
    expect(r.exitCode).toBe(2);
    const { problems } = JSON.parse(r.stdout).error as { problems: { message: string; path?: string }[] };
    expect(problems.map((p) => p.message.replace(/ \(known: .*\)/, ""))).toEqual([
      'Invalid option: expected one of "link"|"copy"|"template"|"block" [hosts box, mac]',
    ]);

    await repo.commit({ "home/files.yaml": "files:\n  - { target: ~/.a, text: a }\n" });
    const r2 = await run(repo, home, ["check"]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain('hosts/box.yaml:2:7: target "/etc/box" is outside HOME');
    expect(r2.stderr).toContain("[host box] (at files[1].target)");
    expect(r2.stderr).toContain("files/mac.tmpl:1:1: undefined template value {{ vars.dock }}");
    expect(r2.stderr).toContain("[host mac]");
  });

  it("no dotops.yaml: says so and how to start", async () => {
    const repo = await ConfigRepo.create({ "README.md": "# dotfiles\n" });
    const { home } = sandbox();
    const r = await run(repo, home, ["check"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: no dotops\.yaml in commit [0-9a-f]{12}: is this a dotops config repo\?/);
  });
});

describe("sources and revisions", () => {
  it("a repo with no commits: a clear error suggesting commit or --worktree, which applies uncommitted files", async () => {
    const repo = new ConfigRepo(tempDir("dotops-repo-"));
    await git(repo.dir, "init", "-q", "-b", "main");
    repo.write(minimalConfig());
    const { home } = sandbox();

    const r = await run(repo, home, ["apply"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: ${repo.dir} has no commits yet`);
    expect(r.stderr).toContain(
      "hint: commit your config first, or use --worktree to apply uncommitted files",
    );
    expect(readdirSync(home)).toEqual([]);

    const w = await run(repo, home, ["apply", "--worktree"]);
    expect(w.exitCode, w.stderr).toBe(0);
    expect(w.stdout).toContain("nothing applied yet → work tree");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(readFileSync(join(home, ".config/app/conf"), "utf8")).toBe("color = true\n");
    const meta = JSON.parse(readFileSync(join(home, ".local/state/dotops/generations/1/meta.json"), "utf8"));
    expect(meta).toMatchObject({ number: 1, commit: null, source: "worktree", outcome: "applied" });
  });

  it("apply reads HEAD, not the dirty work tree; --worktree reads the work tree", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    repo.write({ "files/zshrc": "export EDITOR=emacs\n" });
    const { home, state } = machine();
    expect((await run(repo, home, ["apply"], state)).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect((await run(repo, home, ["apply", "--worktree"], state)).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=emacs\n");
  });

  it("--commit and --worktree together, or an unknown --commit, are usage errors", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    const both = await run(repo, home, ["apply", "--commit", "HEAD", "--worktree"]);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("error: use either --commit or --worktree, not both");
    const unknown = await run(repo, home, ["apply", "--commit", "no-such-rev"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`error: no-such-rev is not a commit in ${repo.dir}`);
    expect(readdirSync(home)).toEqual([]);
  });

  it("--repo that does not exist, or is not a Git repo", async () => {
    const { root, home } = sandbox();
    const missing = await dotops(["--repo", join(root, "nope"), "apply"], { home });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`error: config repo ${join(root, "nope")} does not exist`);
    const plain = join(root, "plain");
    mkdirSync(plain);
    writeFileSync(join(plain, "dotops.yaml"), ENTRY);
    const r = await dotops(["--repo", plain, "apply"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: ${plain} is not a Git repository`);
    expect(r.stderr).not.toContain("fatal:");
    expect(readdirSync(home)).toEqual([]);
  });

  it("git failing for another reason is reported as git's own error, not as a missing commit", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    // git reads $HOME/.config/git/config and dies on a loop there.
    symlinkSync("loop-b", join(home, ".config"));
    symlinkSync(".config", join(home, "loop-b"));
    const r = await run(repo, home, ["apply"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: git rev-parse failed in ${repo.dir}: fatal:`);
    expect(r.stderr).toContain(".config/git/config");
    expect(r.stderr).not.toContain("is not a commit");
  });

  it("an unknown option is a usage error", async () => {
    const { home } = sandbox();
    const r = await dotops(["apply", "--bakcup"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--bakcup'");
  });
});
