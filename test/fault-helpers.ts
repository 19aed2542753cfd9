/**
 * What the fault and concurrency tests check after each fault: HOME exactly
 * as one generation left it, and a state dir with nothing half-done in it.
 */
import { spawn } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { CLI, dotops } from "./helpers.js";

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

// Generation 1: links (one in a directory), copies (one with permissions).
export const GEN1: Record<string, string> = {
  "dotops.yaml": ENTRY,
  "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.config/app/conf, source: files/app.conf }
  - { target: ~/.npmrc, source: files/npmrc, mode: copy }
  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0600" }
`,
  "files/zshrc": "zsh one\n",
  "files/app.conf": "app one\n",
  "files/npmrc": "npm one\n",
  "files/ssh_config": "ssh one\n",
};

// Generation 2 creates (a link in a new directory), updates (a link's content,
// two copies) and deletes (a link and its directory).
export const GEN2: Record<string, string | null> = {
  "home/files.yaml": `files:
  - { target: ~/.zshrc, source: files/zshrc }
  - { target: ~/.config/nvim/init.lua, source: files/init.lua }
  - { target: ~/.npmrc, source: files/npmrc, mode: copy }
  - { target: ~/.ssh/config, source: files/ssh_config, mode: copy, permissions: "0600" }
`,
  "files/zshrc": "zsh two\n",
  "files/init.lua": "-- init two\n",
  "files/npmrc": "npm two\n",
  "files/ssh_config": "ssh two\n",
  "files/app.conf": null,
};

export type Snapshot = Record<string, string>;

/**
 * Every path under HOME except the state dir (when it is inside): type,
 * permissions, content, and for links the target (HOME as ~, the state dir as
 * <state>) and what it resolves to.
 */
export function snapshot(home: string, state: string): Snapshot {
  const out: Snapshot = {};
  const skip = relative(home, state);
  const walk = (rel: string) => {
    for (const name of readdirSync(join(home, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === skip || r === ".local" || r === ".local/state") continue;
      const abs = join(home, r);
      const st = lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) {
        let content: string;
        try {
          content = JSON.stringify(readFileSync(abs, "utf8"));
        } catch (err) {
          content = `<${(err as NodeJS.ErrnoException).code}>`;
        }
        const target = readlinkSync(abs).replace(state, "<state>").replace(home, "~");
        out[r] = `link -> ${target} = ${content}`;
      } else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else if (st.isFile()) out[r] = `file ${mode} ${JSON.stringify(readFileSync(abs, "utf8"))}`;
      else out[r] = `other ${mode}`;
    }
  };
  walk("");
  return out;
}

/** Every path in a tree with its type and size: "no new files" compares two of these. */
export function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      out.push(`${r} ${st.isDirectory() ? "dir" : st.isSymbolicLink() ? "link" : `${st.size}`}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(r);
    }
  };
  walk("");
  return out;
}

export interface Gen {
  number: number;
  commit: string | null;
  outcome: string;
  current: boolean;
  error?: string;
}

export async function generations(home: string, global: string[] = [], env?: Record<string, string>) {
  const r = await dotops([...global, "--json", "generations"], { home, env });
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Gen[];
}

/** The generation `current` points at, read from the generations list. */
export async function currentGen(home: string, global: string[] = [], env?: Record<string, string>) {
  return (await generations(home, global, env)).find((g) => g.current);
}

/**
 * Nothing half-done is left: no lock, no journal, no half-built generation,
 * no pending generation, no half-moved file in HOME or the state dir.
 */
export async function expectSettled(
  home: string,
  state: string,
  global: string[] = [],
  env?: Record<string, string>,
): Promise<void> {
  const gens = await generations(home, global, env);
  expect(gens.filter((g) => g.outcome === "pending")).toEqual([]);
  expect(gens.filter((g) => g.current).length).toBeLessThanOrEqual(1);
  expect(existsSync(join(state, "lock")), "lock").toBe(false);
  expect(existsSync(join(state, "journal")), "journal").toBe(false);
  const leftovers = [...listTree(home), ...listTree(state)].filter((p) =>
    /\.(partial|dotops-moving|dotops-partial|dotops-new|dotops-tmp-\w+) /.test(p),
  );
  expect(leftovers).toEqual([]);
}

export interface PtyRun {
  /** Everything the terminal showed so far. */
  output: () => string;
  /** Resolves once the terminal has shown `text`. */
  shown: (text: string) => Promise<void>;
  type: (text: string) => void;
  exit: Promise<number>;
}

/**
 * The built CLI on a terminal (a pty through script(1)): stdin is a TTY, so
 * apply asks before destructive steps.
 */
export function dotopsInPty(args: string[], opts: { home: string; env?: Record<string, string> }): PtyRun {
  const argv = [process.execPath, CLI, ...args];
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const scriptArgs =
    process.platform === "darwin" ? ["-q", "/dev/null", "sh", "-c", quoted] : ["-qec", quoted, "/dev/null"];
  const child = spawn("script", scriptArgs, {
    cwd: opts.home,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: opts.home, NO_COLOR: "1", ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of waiters.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return {
    output: () => out,
    shown: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        exit.then((code) => reject(new Error(`exited ${code} before showing ${text}:\n${out}`)));
      }),
    type: (text) => child.stdin.write(text),
    exit,
  };
}
