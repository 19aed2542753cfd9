/**
 * The shell environment (`shell:`): generated env files applied into a
 * sandbox HOME and read back by the real bash, zsh and fish.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { sourceFromRecord } from "../src/config/source.js";
import { shellModule } from "../src/modules/shell/index.js";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

const ENTRY = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";
const BASE_PATH = "/usr/local/bin:/usr/bin:/bin";

async function applied(shellYaml: string, extra: Record<string, string> = {}) {
  const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "home/shell.yaml": shellYaml, ...extra });
  const { home } = sandbox();
  const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
  const r = await run("apply");
  expect(r.exitCode, r.stderr).toBe(0);
  return { repo, home, run };
}

/** Runs a shell with only the sandbox HOME and a plain PATH; stdout as bytes. */
async function shell(home: string, argv: string[]): Promise<Buffer> {
  const r = await execa(argv[0] as string, argv.slice(1), {
    env: { HOME: home, PATH: BASE_PATH, TERM: "dumb", LANG: "C.UTF-8" },
    extendEnv: false,
    cwd: home,
    encoding: "buffer",
    stripFinalNewline: false,
    stdin: "ignore",
    reject: false,
  });
  expect(r.exitCode, `${argv.join(" ")}: ${Buffer.from(r.stderr).toString()}`).toBe(0);
  return Buffer.from(r.stdout);
}

const nul = (values: string[]) => Buffer.from(values.map((v) => `${v}\0`).join(""));

/** Values no quoting may alter: spaces, both quotes, $, backslashes, a tab, a newline, unicode. */
const TRICKY: Record<string, string> = {
  SPACES: "a  b c",
  SINGLE: "it's 'quoted'",
  DOUBLE: 'say "hi" ""',
  DOLLAR: `$HOME $${"{"}USER} $(id) \`id\` $1`,
  BACKSLASH: "back\\slash \\n \\' \\\\ ends\\",
  TAB_NEWLINE: "tab\there\nsecond line\n",
  UNICODE: "ünïcödé € 日本 😀",
  DASH: "-n",
  GLOB: "*.txt ? [a] ~ ~/x",
};

/** Aliases whose value prints the same bytes in all three shells when run. */
const ALIASES: Record<string, string> = {
  "g.st": "printf '%s|' \"a b\" 'c$d' \\$e ü",
  "x-y": "printf '%s|' 'it'\\''s' \"dq\\\"in\"",
  a_b: "printf '%s|' a\\\\b",
  "k:v": "printf '%s|' 日本",
};
const ALIAS_OUTPUT: Record<string, string> = {
  "g.st": "a b|c$d|$e|ü|",
  "x-y": "it's|dq\"in|",
  a_b: "a\\b|",
  "k:v": "日本|",
};

const yamlString = (s: string) => JSON.stringify(s);

describe("shell: quoting", () => {
  it("carries env values and aliases byte for byte through real bash, zsh and fish", async () => {
    const yaml = [
      "shell:",
      "  env:",
      ...Object.entries(TRICKY).map(([k, v]) => `    ${k}: ${yamlString(v)}`),
      "  aliases:",
      ...Object.entries(ALIASES).map(([k, v]) => `    ${yamlString(k)}: ${yamlString(v)}`),
    ].join("\n");
    const { home } = await applied(`${yaml}\n`);
    const env = (sh: string) => join(home, `.config/dotops/shell/env.${sh}`);
    const names = Object.keys(TRICKY);
    const expected = nul(Object.values(TRICKY));

    const posixPrint = `printf '%s\\0' ${names.map((n) => `"$${n}"`).join(" ")}`;
    expect(await shell(home, ["bash", "-c", `. ${env("bash")}; ${posixPrint}`])).toEqual(expected);
    expect(await shell(home, ["zsh", "-f", "-c", `. ${env("zsh")}; ${posixPrint}`])).toEqual(expected);
    const fishPrint = `printf '%s\\0' ${names.map((n) => `"$${n}"`).join(" ")}`;
    expect(await shell(home, ["fish", "--no-config", "-c", `source ${env("fish")}; ${fishPrint}`])).toEqual(
      expected,
    );

    // The alias tables hold each value exactly; running each prints the same bytes in every shell.
    const keys = Object.keys(ALIASES);
    const table = nul(Object.values(ALIASES));
    const bashTable = `printf '%s\\0' ${keys.map((k) => `"\${BASH_ALIASES[${k}]}"`).join(" ")}`;
    expect(await shell(home, ["bash", "-c", `. ${env("bash")}; ${bashTable}`])).toEqual(table);
    const zshTable = `printf '%s\\0' ${keys.map((k) => `"\${aliases[${k}]}"`).join(" ")}`;
    expect(await shell(home, ["zsh", "-f", "-c", `. ${env("zsh")}; ${zshTable}`])).toEqual(table);
    // eval: an alias expands only in code parsed after it is defined (zsh parses all of -c at once).
    const runAll = keys.map((k) => `eval ${k}`).join("; echo; ");
    const outputs = `${Object.values(ALIAS_OUTPUT).join("\n")}\n`;
    expect(
      (
        await shell(home, ["bash", "-c", `shopt -s expand_aliases; . ${env("bash")}\n${runAll}; echo`])
      ).toString(),
    ).toBe(outputs);
    expect((await shell(home, ["zsh", "-f", "-c", `. ${env("zsh")}\n${runAll}; echo`])).toString()).toBe(
      outputs,
    );
    expect(
      (await shell(home, ["fish", "--no-config", "-c", `source ${env("fish")}\n${runAll}; echo`])).toString(),
    ).toBe(outputs);
  });
});

describe("shell: the environment in interactive shells", () => {
  it("is sourced from ~/.zshrc, ~/.bashrc and config.fish: aliases, env, PATH in order and once", async () => {
    const yaml = [
      "shell:",
      "  aliases: { ll: ls -la, cleanup: echo mine }",
      "  env: { EDITOR: nvim, GOPATH: ~/go }",
      "  path: [~/.local/bin, /opt/a/bin, /usr/bin, ~/.local/bin/, /opt/a/bin]",
      '  init: { zsh: "zsh_init=1", bash: "bash_init=1", fish: "set -g fish_init 1" }',
    ].join("\n");
    const { home, repo, run } = await applied(`${yaml}\n`);
    // A program module's snippet (the contract with programs: awsp lands here) is sourced last.
    mkdirSync(join(home, ".config/dotops/shell/zsh.d"));
    writeFileSync(join(home, ".config/dotops/shell/zsh.d/awsp.zsh"), "awsp() { echo awsp-zsh; }\n");
    mkdirSync(join(home, ".config/dotops/shell/bash.d"));
    writeFileSync(join(home, ".config/dotops/shell/bash.d/awsp.bash"), "awsp() { echo awsp-bash; }\n");

    const wantPath = `${home}/.local/bin:/opt/a/bin:/usr/bin:/usr/local/bin:/bin`;
    const probe = 'echo "$PATH"; echo "$EDITOR $GOPATH"; alias ll; alias cleanup; alias rebuild; awsp';
    const zsh = (await shell(home, ["zsh", "-i", "-c", `${probe}; echo $zsh_init`])).toString();
    expect(zsh).toBe(
      `${wantPath}\nnvim ${home}/go\nll='ls -la'\ncleanup='echo mine'\nrebuild='dotops apply'\nawsp-zsh\n1\n`,
    );
    const bash = (await shell(home, ["bash", "-i", "-c", `${probe}; echo $bash_init`])).toString();
    expect(bash).toBe(
      `${wantPath}\nnvim ${home}/go\nalias ll='ls -la'\nalias cleanup='echo mine'\nalias rebuild='dotops apply'\nawsp-bash\n1\n`,
    );
    const fish = (
      await shell(home, [
        "fish",
        "-i",
        "-c",
        "string join : $PATH; echo $EDITOR $GOPATH $fish_init; functions -q ll health-check; and echo aliases",
      ])
    ).toString();
    expect(fish).toBe(`${wantPath}\nnvim ${home}/go 1\naliases\n`);

    // Sourcing twice (a nested shell) keeps PATH as it is.
    const twice = (await shell(home, ["bash", "-i", "-c", '. ~/.bashrc; echo "$PATH"'])).toString();
    expect(twice.trim()).toBe(wantPath);

    // A new commit switches the environment with the generation; rollback switches it back.
    await repo.commit({ "home/shell.yaml": `${yaml.replace("EDITOR: nvim", "EDITOR: hx")}\n` });
    expect((await run("apply")).exitCode).toBe(0);
    expect((await shell(home, ["zsh", "-i", "-c", "echo $EDITOR"])).toString()).toBe("hx\n");
    expect((await run("rollback")).exitCode).toBe(0);
    expect((await shell(home, ["zsh", "-i", "-c", "echo $EDITOR"])).toString()).toBe("nvim\n");
  });

  it("adds its block to an existing ~/.zshrc and takes it out again, byte for byte", async () => {
    const repo = await ConfigRepo.create({ "dotops.yaml": ENTRY, "home/shell.yaml": "shell: {}\n" });
    const { home } = sandbox();
    const mine = "# mine\nsetopt autocd";
    writeFileSync(join(home, ".zshrc"), mine);
    const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });
    expect((await run("apply")).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe(
      `${mine}\n# >>> dotops:shell >>>\nif [ -r ~/.config/dotops/shell/env.zsh ]; then source ~/.config/dotops/shell/env.zsh; fi\n# <<< dotops:shell <<<`,
    );
    expect((await shell(home, ["zsh", "-i", "-c", "alias health-check"])).toString()).toBe(
      "health-check='dotops health'\n",
    );
    await repo.commit({ "home/shell.yaml": null, "home/other.yaml": "files: []\n" });
    expect((await run("apply")).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe(mine);
  });
});

describe("shell: the module", () => {
  const config = (shellYaml: string, files = "") =>
    loadConfig(
      sourceFromRecord({
        "dotops.yaml": ENTRY,
        "home/shell.yaml": shellYaml,
        ...(files ? { "home/files.yaml": files } : {}),
      }),
    );
  const ids = (out: { resources: { id: string }[] }) => out.resources.map((r) => r.id);

  it("leaves ~/.zshrc to programs.zsh when it is enabled, and a linked rc file to the user", () => {
    const c = config("shell: {}\n");
    expect(ids(shellModule(c))).toContain("block/~/.zshrc#shell");
    const withZsh = shellModule({ ...c, programs: { zsh: { enable: true } } } as typeof c);
    expect(ids(withZsh)).not.toContain("block/~/.zshrc#shell");
    expect(ids(withZsh)).toContain("~/.config/dotops/shell/env.zsh");
    expect(ids(withZsh)).toContain("block/~/.bashrc#shell");

    const linked = shellModule(config("shell: {}\n", "files:\n  - { target: ~/.bashrc, source: files/b }\n"));
    expect(ids(linked)).not.toContain("block/~/.bashrc#shell");
    expect(linked.warnings?.[0]?.message).toContain("~/.bashrc is managed whole by files[0]");
    expect(ids(shellModule(config("files: []\n")))).toEqual([]);
  });

  it("rejects bad names and values with file:line", async () => {
    const repo = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "home/shell.yaml": [
        "shell:",
        "  aliases:",
        '    "bad name": ls',
        "    ok: ls",
        '    "$x": ls',
        '    multi: "a\\nb"',
        "  env:",
        '    "1X": a',
        "    PATH: /x",
        "  path: [relative/bin, /a:b]",
        "  aliases2: {}",
      ].join("\n"),
    });
    const { home } = sandbox();
    const schema = await dotops(["--repo", repo.dir, "check"], { home });
    expect(schema.exitCode).toBe(2);
    expect(schema.stderr).toMatch(/home\/shell\.yaml:11:3: unknown key "aliases2"/);

    await repo.commit({ "home/shell.yaml": repo.read("home/shell.yaml").replace("  aliases2: {}", "") });
    const r = await dotops(["--repo", repo.dir, "check"], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /home\/shell\.yaml:3:\d+: alias name "bad name" is not a name every shell takes/,
    );
    expect(r.stderr).toMatch(/home\/shell\.yaml:5:\d+: alias name "\$x" is not a name every shell takes/);
    expect(r.stderr).toMatch(/home\/shell\.yaml:6:\d+: alias multi must be one line of shell code/);
    expect(r.stderr).toMatch(/home\/shell\.yaml:8:\d+: env name "1X" is not a variable name/);
    expect(r.stderr).toMatch(/home\/shell\.yaml:9:\d+: PATH is built from shell\.path/);
    expect(r.stderr).toMatch(
      /home\/shell\.yaml:10:\d+: path entry "relative\/bin" must be absolute or ~\/\.\.\./,
    );
    expect(r.stderr).toMatch(/home\/shell\.yaml:10:\d+: path entry "\/a:b" holds a ":"/);
  });
});
