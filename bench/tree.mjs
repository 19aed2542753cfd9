// Tree generation: a deterministic, realistic dotfiles repo of N files, laid
// out so that dotops, GNU Stow and mise can all manage the very same files.
//
//   <repo>/dotops.yaml           files: one entry per top-level item (a file, or a
//                                directory like ~/.config/nvim that expands to each file inside)
//   <repo>/mise.toml             [dotfiles]: one entry per file
//   <repo>/stow/home/...         the dotfiles themselves (a Stow package named "home")
//
// Sizes follow a log-normal distribution around ~1 KiB (most dotfiles are small;
// a few plugin files and lock files are tens of KiB), text only, with ~3 % of
// files executable (scripts in ~/.local/bin). Everything lands under ~/.config,
// ~/.local/bin and a handful of top-level dotfiles, so ~/.config is shared with
// the unmanaged files every sandbox HOME already holds.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE = "home";

const TOP_LEVEL = [".bashrc", ".zshrc", ".profile", ".gitconfig", ".vimrc", ".tmux.conf", ".inputrc"];
const APPS = ["nvim", "zsh", "git", "tmux", "alacritty", "kitty", "fish", "starship", "htop", "wezterm"];
const SUBDIRS = ["lua", "plugins", "ftplugin", "after", "themes", "snippets", "conf.d", "functions"];
const WORDS = "set enable color theme font size path alias export bind key map option true false auto"
  .split(" ")
  .concat("local plugin config source include default user editor shell prompt history".split(" "));

/** A small seeded PRNG (mulberry32): the same tree on every run and machine. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fileSize(rand) {
  // log-normal, median ~900 B, clamped to 40 B .. 64 KiB
  const u = Math.max(rand(), 1e-9);
  const v = rand();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(65536, Math.max(40, Math.round(Math.exp(6.8 + 1.1 * normal))));
}

function text(rand, size, label) {
  const lines = [`# ${label}`];
  let n = lines[0].length + 1;
  while (n < size) {
    const words = Array.from(
      { length: 2 + Math.floor(rand() * 6) },
      () => WORDS[Math.floor(rand() * WORDS.length)],
    );
    const line = `${words[0]} = "${words.slice(1).join(" ")}"`;
    lines.push(line);
    n += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

/** Relative paths (from HOME) of the N files of the tree, nested up to 4 levels. */
export function treePaths(n, seed = 42) {
  const rand = rng(seed);
  const paths = TOP_LEVEL.slice(0, Math.min(TOP_LEVEL.length, Math.max(1, Math.floor(n / 20))));
  const bins = Math.max(1, Math.floor(n * 0.03));
  for (let i = 0; paths.length < n && i < bins; i++) paths.push(`.local/bin/tool-${i}`);
  let i = 0;
  while (paths.length < n) {
    const app = APPS[i % APPS.length];
    const depth = Math.floor(rand() ** 2 * 4); // 0..3 directories below the app dir, mostly shallow
    const dirs = [];
    for (let d = 0; d < depth; d++) dirs.push(SUBDIRS[Math.floor(rand() * (6 >> d))]);
    const ext = [".lua", ".toml", ".conf", ".vim", ".json", ".sh"][Math.floor(rand() * 6)];
    paths.push([".config", app, ...dirs, `file-${i}${ext}`].join("/"));
    i++;
  }
  return [...new Set(paths)].sort();
}

/** The top-level items dotops' files.yaml names: each file, or the directory that holds a subtree. */
export function dotopsEntries(paths) {
  const entries = new Set();
  for (const p of paths) {
    const parts = p.split("/");
    if (parts.length === 1) entries.add(p);
    else if (parts[0] === ".config") entries.add(parts.slice(0, 2).join("/"));
    else entries.add(parts.slice(0, -1).join("/")); // .local/bin
  }
  return [...entries].sort();
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", maxBuffer: 64 << 20 }).trim();
}

/** Writes the tree, the three tools' configs, and commits it. Returns what the runner needs. */
export function generateRepo(dir, n, seed = 42) {
  const rand = rng(seed + n);
  const paths = treePaths(n, seed);
  const pkg = join(dir, "stow", PACKAGE);
  let bytes = 0;
  for (const p of paths) {
    const abs = join(pkg, p);
    mkdirSync(dirname(abs), { recursive: true });
    const size = p.startsWith(".local/bin/") ? 200 + Math.floor(rand() * 1500) : fileSize(rand);
    const body = p.startsWith(".local/bin/") ? `#!/bin/sh\n${text(rand, size, p)}` : text(rand, size, p);
    writeFileSync(abs, body);
    if (p.startsWith(".local/bin/")) chmodSync(abs, 0o755);
    bytes += Buffer.byteLength(body);
  }
  const files = dotopsEntries(paths)
    .map((e) => `  - { target: "~/${e}", source: "stow/${PACKAGE}/${e}" }`)
    .join("\n");
  writeFileSync(
    join(dir, "dotops.yaml"),
    `version: 1\nhosts:\n  bench:\n    platform: linux\nfiles:\n${files}\n`,
  );
  const mise = paths.map((p) => `"~/${p}" = { source = "stow/${PACKAGE}/${p}" }`).join("\n");
  writeFileSync(join(dir, "mise.toml"), `[dotfiles]\n${mise}\n`);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", `bench tree of ${n} files`);
  const dirs = new Set(paths.map((p) => dirname(p)).filter((d) => d !== "."));
  return { dir, n, paths, bytes, dirs: dirs.size, entries: dotopsEntries(paths).length };
}

/** Changes one file (or, with `all`, every file) and commits; returns the new commit. */
export function commitChange(repo, paths, label, { all = false } = {}) {
  for (const p of all ? paths : [paths[Math.floor(paths.length / 2)]]) {
    const abs = join(repo, "stow", PACKAGE, p);
    writeFileSync(abs, `# ${label}\n`, { flag: "a" });
  }
  git(repo, "commit", "-q", "-am", label);
  return git(repo, "rev-parse", "HEAD");
}

/** A sandbox HOME that already holds unmanaged files in ~/.config (and a shell rc stow must not touch). */
export function makeHome(dir) {
  const files = {
    ".config/user-dirs.dirs": 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n',
    ".config/gtk-3.0/settings.ini": "[Settings]\ngtk-theme-name=Adwaita\n",
    ".config/pulse/client.conf": "autospawn = no\n",
    ".config/Code/User/settings.json": '{ "editor.fontSize": 13 }\n',
    ".local/share/recently-used.xbel": "<xbel/>\n",
  };
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  return dir;
}
