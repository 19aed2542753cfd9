/**
 * The migration guides (docs/migrate/*.md), tried end to end: for each, the
 * tree the guide starts from is built in a sandbox HOME, the guide's own
 * ```sh blocks are run as they are written (with `dotops` on PATH, and the
 * macOS simulators for darwin hosts), and the end state is checked. The YAML
 * a guide shows as `# dotops.yaml` / `# file: <path>` must be what the
 * commands produced, so a guide cannot drift from the importers.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, sandbox, tempDir } from "./helpers.js";

const SIM_BIN = join(ROOT, "test/simulators/bin");

interface Block {
  lang: string;
  text: string;
}

function blocks(guide: string): Block[] {
  const md = readFileSync(join(ROOT, "docs/migrate", guide), "utf8");
  return [...md.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] as string,
    text: m[2] as string,
  }));
}

/** The guide's config blocks: `dotops.yaml` and `# file: <path>` fragments, without the marker line. */
function configBlocks(guide: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of blocks(guide).filter((b) => b.lang === "yaml")) {
    const [first, ...rest] = b.text.split("\n");
    if (first === "# dotops.yaml") out["dotops.yaml"] = rest.join("\n");
    const file = /^# file: (\S+)$/.exec(first ?? "")?.[1];
    if (file) out[file] = rest.join("\n");
  }
  return out;
}

function write(root: string, files: Record<string, string>, mode?: number) {
  for (const [path, text] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    if (mode !== undefined) chmodSync(abs, mode);
  }
}

/** A sandbox HOME, `dotops` on PATH, Git with an identity and no user config; `sh` runs a script there. */
function world(opts: { simulators?: boolean } = {}) {
  const { home } = sandbox();
  const bin = tempDir("dotops-bin-");
  writeFileSync(join(bin, "dotops"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, {
    mode: 0o755,
  });
  const sim = tempDir("dotops-sim-");
  const env: Record<string, string> = {
    HOME: home,
    PATH: [bin, ...(opts.simulators ? [SIM_BIN] : []), process.env.PATH ?? "/usr/bin:/bin"].join(":"),
    NO_COLOR: "1",
    SIM_STATE: sim,
    GIT_AUTHOR_NAME: "Alice Example",
    GIT_AUTHOR_EMAIL: "alice@example.com",
    GIT_COMMITTER_NAME: "Alice Example",
    GIT_COMMITTER_EMAIL: "alice@example.com",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const sh = async (script: string) => {
    const r = await execa("bash", ["-euo", "pipefail", "-c", script], {
      cwd: home,
      env,
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode, `${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  /** Every ```sh block of the guide, in order, as one script. */
  const runGuide = (guide: string) =>
    sh(
      blocks(guide)
        .filter((b) => b.lang === "sh")
        .map((b) => b.text)
        .join("\n"),
    );
  return { home, sim, env, sh, runGuide };
}

/** The host `dotops init` names after this machine, as the guides show it: laptop. */
const asShown = (entry: string) =>
  entry.replace(new RegExp(`^  "?${hostname().split(".")[0]}"?:$`, "m"), "  laptop:");

describe("docs/migrate guides, end to end", () => {
  it("from-stow.md: the stow repo becomes the config repo; HOME gets the packages' files as dotops links", async () => {
    const w = world();
    const dots = join(w.home, "dotfiles");
    write(dots, {
      "zsh/.zshrc": "export EDITOR=nvim\n",
      "zsh/README.md": "my zsh setup\n",
      "git/.gitconfig": "[user]\n\tname = Alice Example\n",
      "nvim/.config/nvim/init.lua": "vim.o.number = true\n",
    });
    // Where the guide starts: a Git repo of packages, stowed (folding ~/.config into the repo).
    await w.sh(
      "cd ~/dotfiles && git init -q && git add -A && git commit -qm dotfiles && stow -t ~ zsh git nvim",
    );
    expect(lstatSync(join(w.home, ".config")).isSymbolicLink()).toBe(true);

    const out = await w.runGuide("from-stow.md");
    expect(out).toContain("converted 3 packages, 3 files");
    expect(out).toContain("zsh/README.md — ignored by stow's default ignore list");
    expect(out).toContain("Applied generation 1");

    const shown = configBlocks("from-stow.md");
    expect(shown["home/stow.yaml"]).toBe(readFileSync(join(dots, "home/stow.yaml"), "utf8"));
    expect(shown["dotops.yaml"]).toBe(asShown(readFileSync(join(dots, "dotops.yaml"), "utf8")));

    for (const [target, content] of [
      [".zshrc", "export EDITOR=nvim\n"],
      [".gitconfig", "[user]\n\tname = Alice Example\n"],
      [".config/nvim/init.lua", "vim.o.number = true\n"],
    ] as const) {
      expect(lstatSync(join(w.home, target)).isSymbolicLink(), target).toBe(true);
      expect(readFileSync(join(w.home, target), "utf8")).toBe(content);
    }
    expect(lstatSync(join(w.home, ".config")).isDirectory()).toBe(true);
    expect(existsSync(join(w.home, "README.md"))).toBe(false);
    // The repo's own files are untouched, and the config checks.
    expect(await w.sh("cd ~/dotfiles && git status --porcelain")).toBe("");
    expect(await w.sh("cd ~/dotfiles && dotops check")).toContain("is valid");
  });

  it("from-chezmoi.md: the source state becomes files, a template and a script; HOME as chezmoi left it", async () => {
    const w = world();
    const src = join(w.home, ".local/share/chezmoi");
    write(src, {
      dot_zshrc: "export EDITOR=nvim\n",
      "dot_gitconfig.tmpl": "[user]\n\tname = {{ .name }}\n\temail = {{ .email }}\n",
      "private_dot_ssh/private_config": "Host *\n  AddKeysToAgent yes\n",
      "encrypted_private_dot_netrc.age": "age-encryption.org/v1\n",
    });
    write(src, { "dot_local/bin/executable_hello": "#!/bin/sh\necho hello\n" }, 0o755);
    write(
      src,
      { "run_once_install-tools.sh": '#!/bin/sh\necho installed > "$HOME/.tools-installed"\n' },
      0o755,
    );
    // What `chezmoi apply` had written into HOME.
    write(w.home, {
      ".zshrc": "export EDITOR=nvim\n",
      ".gitconfig": "[user]\n\tname = Alice Example\n\temail = alice@example.com\n",
    });
    write(w.home, { ".ssh/config": "Host *\n  AddKeysToAgent yes\n" }, 0o600);
    write(w.home, { ".local/bin/hello": "#!/bin/sh\necho hello\n" }, 0o755);

    const out = await w.runGuide("from-chezmoi.md");
    expect(out).toContain("converted 1 templates, 3 files, 1 scripts");
    expect(out).toContain("encrypted_private_dot_netrc.age — encrypted (age/gpg)");
    expect(out).toContain("Applied generation 1");

    const repo = join(w.home, "dotops-config");
    const shown = configBlocks("from-chezmoi.md");
    for (const file of ["dotops.yaml", "user-config.yaml", "home/chezmoi.yaml"])
      expect(shown[file], file).toBe(readFileSync(join(repo, file), "utf8"));
    expect(readFileSync(join(repo, "files/gitconfig"), "utf8")).toContain("{{ user.email }}");

    expect(lstatSync(join(w.home, ".zshrc")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(w.home, ".gitconfig"), "utf8")).toBe(
      "[user]\n\tname = Alice Example\n\temail = alice@example.com\n",
    );
    expect(statSync(join(w.home, ".ssh/config")).mode & 0o777).toBe(0o600);
    expect(statSync(join(w.home, ".local/bin/hello")).mode & 0o111).toBe(0o111);
    expect(readFileSync(join(w.home, ".tools-installed"), "utf8")).toBe("installed\n");
    expect(existsSync(join(w.home, ".netrc"))).toBe(false);
    expect(await w.sh("cd ~/dotops-config && dotops check")).toContain("is valid");
  });

  it("from-brewfile.md: a Brewfile and a .macos script through the importers, applied on the simulators", async () => {
    const w = world({ simulators: true });
    // The two files exactly as the guide shows them.
    const all = blocks("from-brewfile.md");
    const brewfile = all.find((b) => b.lang === "ruby")?.text as string;
    const macos = all.find((b) => b.lang === "bash")?.text as string;
    expect(brewfile).toContain('brew "ripgrep"');
    write(w.home, { Brewfile: brewfile, ".macos": macos });

    const out = await w.runGuide("from-brewfile.md");
    expect(out).toContain("converted 1 taps, 3 brews, 2 casks, 1 mas apps");
    expect(out).toContain(`${w.home}/Brewfile:9: vscode "esbenp.prettier-vscode"`);
    expect(out).toContain("converted 4 defaults, 1 restartOnChange");
    expect(out).toContain(`${w.home}/.macos:4: osascript`);
    expect(out).toContain(`${w.home}/.macos:9: defaults write com.apple.screencapture`);
    expect(out).toContain("Applied generation 1");

    const repo = join(w.home, "dotops-config");
    const shown = configBlocks("from-brewfile.md");
    for (const file of ["dotops.yaml", "system/homebrew.yaml", "system/macos-defaults.yaml"])
      expect(shown[file], file).toBe(readFileSync(join(repo, file), "utf8"));

    const brew = JSON.parse(readFileSync(join(w.sim, "brew.json"), "utf8")) as {
      formulae: Record<string, unknown>;
      casks: Record<string, unknown>;
      taps: string[];
    };
    expect(Object.keys(brew.formulae).sort()).toEqual(["git", "postgresql@16", "ripgrep"]);
    expect(Object.keys(brew.casks).sort()).toEqual(["firefox", "font-jetbrains-mono"]);
    expect(brew.taps).toContain("homebrew/cask-fonts");
    expect((await w.sh("defaults read com.apple.dock tilesize")).trim()).toBe("48");
    expect((await w.sh("defaults read NSGlobalDomain KeyRepeat")).trim()).toBe("2");
    // The exported Brewfile lists what the Brewfile had, less what was not converted.
    const exported = readFileSync(join(repo, "Brewfile.exported"), "utf8");
    for (const line of brewfile.split("\n").filter((l) => /^(tap|brew|cask|mas) /.test(l)))
      expect(exported).toContain(line);
    expect(await w.sh("cd ~/dotops-config && dotops check")).toContain("is valid");
  });

  it("from-home-manager.md: the converted config checks and applies (darwin, on the simulators)", async () => {
    const w = world({ simulators: true });
    const repo = join(w.home, "dotops-config");
    const shown = configBlocks("from-home-manager.md");
    expect(Object.keys(shown).sort()).toEqual([
      "dotops.yaml",
      "home/files.yaml",
      "home/programs.yaml",
      "home/services.yaml",
      "home/shell.yaml",
      "system/macos-defaults.yaml",
      "system/packages.yaml",
      "user-config.yaml",
    ]);
    // The Home Manager setup, translated as the guide shows it; the two files it names moved to files/.
    write(repo, shown);
    write(repo, { "files/nvim/init.lua": "vim.o.number = true\n", "files/ssh_config": "Host *\n" });
    await w.sh("cd ~/dotops-config && git init -q");

    const out = await w.runGuide("from-home-manager.md");
    expect(out).toContain("Applied generation 1");

    const git = readFileSync(join(w.home, ".config/git/config"), "utf8");
    expect(git).toContain("alice@example.com");
    expect(git).toMatch(/st = status/);
    expect(readFileSync(join(w.home, ".config/git/ignore"), "utf8")).toContain(".DS_Store");
    expect(readFileSync(join(w.home, ".zshrc"), "utf8")).toContain("bindkey -e");
    expect(readFileSync(join(w.home, ".config/starship.toml"), "utf8")).toContain("add_newline = false");
    const env = readFileSync(join(w.home, ".config/dotops/shell/env.zsh"), "utf8");
    expect(env).toContain("EDITOR");
    expect(env).toContain("ll");
    expect(readFileSync(join(w.home, ".config/nvim/init.lua"), "utf8")).toBe("vim.o.number = true\n");
    expect(statSync(join(w.home, ".ssh/config")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(w.home, "Library/LaunchAgents/com.alice.sync.plist"))).toBe(true);
    expect((await w.sh("defaults read com.apple.dock autohide")).trim()).toBe("1");
    const brew = JSON.parse(readFileSync(join(w.sim, "brew.json"), "utf8")) as {
      formulae: Record<string, unknown>;
    };
    expect(Object.keys(brew.formulae).sort()).toEqual(["jq", "ripgrep"]);
  });
});
