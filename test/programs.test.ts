/**
 * programs: (git, zsh, starship, alacritty, neovim, awsSso) through the real
 * CLI: apply into a sandbox HOME, then read the result with the real tools
 * (git, zsh, bash, fish) and real parsers (smol-toml, ini).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse as parseIni } from "ini";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigRepo, dotops, sandbox } from "./helpers.js";

const ENTRY = "version: 1\nimports: [user-config.yaml, home/*.yaml]\nhosts:\n  box: { platform: linux }\n";
const USER =
  "user: { name: Alice Example, email: alice@example.com }\nvars: { workEmail: alice@corp.example }\n";

const STARSHIP = {
  add_newline: false,
  format: "$directory$git_branch$character",
  character: { success_symbol: "[➜](bold green)", error_symbol: "[✗](bold red)" },
  aws: { disabled: false, symbol: "☁️ " },
};
const ALACRITTY = {
  font: { size: 14.5, normal: { family: "JetBrains Mono", style: "Regular" } },
  window: { padding: { x: 4, y: 4 }, opacity: 0.95 },
  keyboard: { bindings: [{ key: "N", mods: "Control|Shift", action: "SpawnNewInstance" }] },
};

/** Everything at once: one apply, read back by every test below. */
const PROGRAMS = `programs:
  git:
    enable: true
    signing: { key: ~/.ssh/id_ed25519.pub, format: ssh, signByDefault: true }
    aliases:
      st: status
      lg: "log --graph --format='%h \\"%s\\"' # not a comment"
      pad: "  two spaces each side  "
      root: "!f() { cd \\"$(git rev-parse --show-toplevel)\\"; }; f"
    ignores: [.DS_Store, "*.swp"]
    attributes: ["*.lockb binary diff=lockb"]
    includes:
      - { path: ~/.config/git/common }
      - { condition: "gitdir:~/work/", path: ~/.config/git/work }
    extraConfig:
      pull: { rebase: true }
      init: { defaultBranch: main }
      core: { pager: "less -R; echo done", editor: "nvim" }
      url: { "git@github.com:": { insteadOf: https://github.com/ } }
      remote: { origin: { fetch: ["+refs/heads/*:refs/remotes/origin/*", "+refs/pull/*:refs/remotes/origin/pr/*"] } }
  zsh:
    enable: true
    history: { size: 50000, save: 40000, path: ~/.local/share/zsh/history, ignoreDups: false, ignoreAllDups: true, share: false, extended: true }
    shellAliases: { ll: ls -la, gs: "git status --short", q: "echo 'quoted' \\"double\\" $HOME" }
    shellGlobalAliases: { G: "| grep" }
    sessionVariables: { GOPATH: "$HOME/go", MIXED: "it's \\"$USER\\" \`x\` \${HOME}:a $ 100", LANG_NAME: "Grüße" }
    setOptions: [AUTO_PUSHD, NO_BEEP]
    autocd: true
    defaultKeymap: viins
    plugins:
      - { name: greet, src: files/zsh/greet }
    envExtra: "export FROM_ENV_EXTRA=yes"
    initExtra: |
      export FROM_INIT_EXTRA="{{ user.name }}"
  starship:
    enable: true
    settings: ${JSON.stringify(STARSHIP)}
  alacritty:
    enable: true
    settings: ${JSON.stringify(ALACRITTY)}
  neovim:
    enable: true
    defaultEditor: true
    viAlias: true
    vimAlias: true
    initLua: files/nvim/init.lua
    extraLuaConfig: "vim.g.mapleader = ' '"
    extraConfig: "set nowrap\\nlet g:x = [[1]]"
  awsSso:
    enable: true
    sessions:
      corp: { startUrl: https://corp.awsapps.com/start, region: eu-west-1 }
      lab: { startUrl: https://lab.awsapps.com/start, region: us-east-1, registrationScopes: [sso:account:access, codewhisperer:completions] }
    profiles:
      dev: { session: corp, accountId: "111111111111", roleName: Developer, region: eu-west-1 }
      prod: { session: corp, accountId: "022222222222", roleName: ReadOnly, region: eu-central-1, output: json }
      default: { session: lab, accountId: "333333333333", roleName: Admin }
`;

const FILES = {
  "dotops.yaml": ENTRY,
  "user-config.yaml": USER,
  "home/programs.yaml": PROGRAMS,
  "home/files.yaml":
    'files:\n  - { target: ~/.config/git/work, text: "[user]\\n\\temail = {{ vars.workEmail }}\\n", mode: template }\n',
  "files/nvim/init.lua": "-- mine\nvim.o.number = true\n",
  "files/zsh/greet/greet.plugin.zsh": 'greet() { print -r -- "hello from greet"; }\n',
  "files/zsh/greet/functions/_greet": "#compdef greet\n_message hi\n",
};

let home = "";
let repo: ConfigRepo;
const read = (rel: string) => readFileSync(join(home, rel), "utf8");

/** A command with HOME in the sandbox and nothing else inherited. */
async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = await execa(cmd, args, {
    cwd: opts.cwd ?? home,
    env: { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "dumb", ...opts.env },
    extendEnv: false,
    reject: false,
    input: "",
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(async () => {
  repo = await ConfigRepo.create(FILES);
  home = sandbox().home;
  const r = await dotops(["--repo", repo.dir, "apply", "--yes"], { home });
  expect(r.exitCode, r.stderr).toBe(0);
});

describe("programs.git", () => {
  it("writes a config that real git reads back value for value", async () => {
    const list = await run("git", ["config", "--file", join(home, ".config/git/config"), "--list"]);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout.split("\n")).toEqual([
      "user.name=Alice Example",
      "user.email=alice@example.com",
      "user.signingkey=~/.ssh/id_ed25519.pub",
      "gpg.format=ssh",
      "commit.gpgsign=true",
      "tag.gpgsign=true",
      "alias.st=status",
      `alias.lg=log --graph --format='%h "%s"' # not a comment`,
      "alias.pad=  two spaces each side  ",
      'alias.root=!f() { cd "$(git rev-parse --show-toplevel)"; }; f',
      "pull.rebase=true",
      "init.defaultbranch=main",
      "core.pager=less -R; echo done",
      "core.editor=nvim",
      "url.git@github.com:.insteadof=https://github.com/",
      "remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*",
      "remote.origin.fetch=+refs/pull/*:refs/remotes/origin/pr/*",
      "include.path=~/.config/git/common",
      "includeif.gitdir:~/work/.path=~/.config/git/work",
    ]);
  });

  it("is git's global config: includeIf switches the identity under ~/work, ignores and attributes apply", async () => {
    const env = { GIT_CONFIG_NOSYSTEM: "1" };
    expect((await run("git", ["config", "--global", "user.email"], { env })).stdout).toBe(
      "alice@example.com",
    );
    for (const dir of ["work/project", "other/project"]) {
      mkdirSync(join(home, dir), { recursive: true });
      expect((await run("git", ["init", "-q"], { cwd: join(home, dir), env })).exitCode).toBe(0);
    }
    const email = (dir: string) => run("git", ["config", "user.email"], { cwd: join(home, dir), env });
    expect((await email("work/project")).stdout).toBe("alice@corp.example");
    expect((await email("other/project")).stdout).toBe("alice@example.com");

    const cwd = join(home, "other/project");
    const ignored = await run("git", ["check-ignore", "-v", ".DS_Store", "a.swp", "kept.txt"], { cwd, env });
    expect(ignored.stdout).toContain(".config/git/ignore:3:*.swp\ta.swp");
    expect(ignored.stdout).toContain(".DS_Store");
    expect(ignored.stdout).not.toContain("kept.txt");
    const attr = await run("git", ["check-attr", "diff", "--", "bun.lockb"], { cwd, env });
    expect(attr.stdout).toBe("bun.lockb: diff: lockb");
  });
});

describe("programs.zsh", () => {
  it("real zsh -i sees the aliases, variables, history settings, options, plugins and init text", async () => {
    const script = [
      "alias ll gs q",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code, not a template
      'print -r -- "G=${galiases[G]}"',
      'print -r -- "GOPATH=$GOPATH"',
      'print -r -- "MIXED=$MIXED"',
      'print -r -- "LANG_NAME=$LANG_NAME"',
      'print -r -- "hist=$HISTSIZE $SAVEHIST $HISTFILE"',
      "for o in histignoredups histignorealldups sharehistory extendedhistory histignorespace autopushd beep autocd; do [[ -o $o ]] && print on $o || print off $o; done",
      "bindkey -lL main",
      "greet",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code, not a template
      'print -r -- "fpath has greet: ${fpath[(I)*greet]}"',
      'print -r -- "$FROM_ENV_EXTRA $FROM_INIT_EXTRA"',
    ].join("\n");
    const r = await run("zsh", ["-i", "-c", script], { env: { USER: "alice" } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const out = r.stdout.split("\n");
    expect(out).toEqual([
      "ll='ls -la'",
      "gs='git status --short'",
      `q='echo '\\''quoted'\\'' "double" $HOME'`,
      "G=| grep",
      `GOPATH=${home}/go`,
      // $USER and ${HOME} expand (Home Manager's sessionVariables); quotes, backquotes and a lone $ are literal.
      `MIXED=it's "alice" \`x\` ${home}:a $ 100`,
      "LANG_NAME=Grüße",
      `hist=50000 40000 ${home}/.local/share/zsh/history`,
      "off histignoredups",
      "on histignorealldups",
      "off sharehistory",
      "on extendedhistory",
      "on histignorespace",
      "on autopushd",
      "off beep",
      "on autocd",
      "bindkey -A viins main",
      "hello from greet",
      expect.stringMatching(/^fpath has greet: [1-9]\d*$/),
      "yes Alice Example",
    ]);
  });

  it("~/.zshenv holds the session variables for non-interactive zsh too", async () => {
    const r = await run("zsh", ["-c", 'print -r -- "$GOPATH|$FROM_ENV_EXTRA|$FROM_INIT_EXTRA"']);
    expect(r.stdout).toBe(`${home}/go|yes|`);
  });
});

describe("programs.starship and programs.alacritty", () => {
  it("write TOML that parses back to the settings", () => {
    expect(parseToml(read(".config/starship.toml"))).toEqual(STARSHIP);
    expect(parseToml(read(".config/alacritty/alacritty.toml"))).toEqual(ALACRITTY);
  });

  it("start starship from each shell's drop-in, only where starship is installed", async () => {
    expect(read(".config/dotops/shell/zsh.d/starship.zsh")).toContain('eval "$(starship init zsh)"');
    expect(read(".config/dotops/shell/bash.d/starship.bash")).toContain("starship init bash");
    expect(read(".config/dotops/shell/fish.d/starship.fish")).toContain("starship init fish | source");
    // A fake starship on PATH proves the drop-in runs it (and that zsh's .zshrc sources the drop-ins).
    const bin = join(home, "fakebin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "starship"), '#!/bin/sh\necho "STARSHIP_LOADED=$1-$2"\n', { mode: 0o755 });
    const zsh = await run("zsh", ["-i", "-c", "print -r -- $STARSHIP_LOADED"], {
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(zsh.stdout).toBe("init-zsh");
  });
});

describe("programs.neovim", () => {
  it("writes init.lua from the repo file, then the Lua and Vimscript extras", () => {
    expect(read(".config/nvim/init.lua")).toBe(
      "-- mine\nvim.o.number = true\nvim.g.mapleader = ' '\nvim.cmd([=[\nset nowrap\nlet g:x = [[1]]\n]=])\n",
    );
  });

  it("sets EDITOR and VISUAL and the vi/vim aliases in bash, zsh and fish", async () => {
    const bash = await run("bash", [
      "-c",
      'shopt -s expand_aliases; . ~/.config/dotops/shell/bash.d/neovim.bash; echo "$EDITOR $VISUAL"; alias vi vim',
    ]);
    expect(bash.stdout).toBe("nvim nvim\nalias vi='nvim'\nalias vim='nvim'");
    const zsh = await run("zsh", ["-i", "-c", 'print -r -- "$EDITOR $VISUAL"; alias vi vim']);
    expect(zsh.stdout).toBe("nvim nvim\nvi=nvim\nvim=nvim");
    const fish = await run("fish", [
      "-c",
      "source ~/.config/dotops/shell/fish.d/neovim.fish; echo $EDITOR $VISUAL; functions -q vi vim; and echo aliased",
    ]);
    expect(fish.stdout).toBe("nvim nvim\naliased");
  });
});

describe("programs.awsSso", () => {
  it("writes ~/.aws/config with [sso-session] and [profile] sections an INI parser reads", () => {
    const ini = parseIni(read(".aws/config"));
    expect(ini).toEqual({
      "sso-session corp": {
        sso_start_url: "https://corp.awsapps.com/start",
        sso_region: "eu-west-1",
        sso_registration_scopes: "sso:account:access",
      },
      "sso-session lab": {
        sso_start_url: "https://lab.awsapps.com/start",
        sso_region: "us-east-1",
        sso_registration_scopes: "sso:account:access,codewhisperer:completions",
      },
      "profile dev": {
        sso_session: "corp",
        sso_account_id: "111111111111",
        sso_role_name: "Developer",
        region: "eu-west-1",
      },
      "profile prod": {
        sso_session: "corp",
        sso_account_id: "022222222222",
        sso_role_name: "ReadOnly",
        region: "eu-central-1",
        output: "json",
      },
      default: { sso_session: "lab", sso_account_id: "333333333333", sso_role_name: "Admin" },
    });
  });

  /** The same session in each shell: list, switch, refuse an unknown one (status 1), clear. */
  const SESSION = [
    "awsp",
    "awsp prod",
    'echo "now=$AWS_PROFILE"',
    "awsp",
    "awsp nope",
    'echo "status=$?"',
    'echo "still=$AWS_PROFILE"',
    "awsp -",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code, not a template
    'echo "cleared=${AWS_PROFILE-unset}"',
  ];
  const LISTED = [
    "  dev",
    "  prod",
    "  default",
    "now=prod",
    "  dev",
    "* prod",
    "  default",
    "status=1",
    "still=prod",
    "cleared=unset",
  ];

  it("awsp switches AWS_PROFILE in real bash, with complete -F completion", async () => {
    const r = await run("bash", [
      "-c",
      [
        ". ~/.config/dotops/shell/bash.d/awsp.bash",
        ...SESSION,
        "complete -p awsp",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell code, not a template
        'COMP_WORDS=(awsp d); COMP_CWORD=1; _awsp_complete; echo "complete=${COMPREPLY[*]}"',
      ].join("\n"),
    ]);
    expect(r.stdout.split("\n")).toEqual([
      ...LISTED,
      "complete -F _awsp_complete awsp",
      "complete=dev default",
    ]);
    expect(r.stderr).toBe(`awsp: no profile nope in ${home}/.aws/config (awsp lists them)`);
  });

  it("awsp switches AWS_PROFILE in real zsh (sourced by ~/.zshrc), completion registered with compdef", async () => {
    const r = await run("zsh", ["-i", "-c", [...SESSION, 'print -r -- "compdef=$_comps[awsp]"'].join("\n")]);
    expect(r.stdout.split("\n")).toEqual([...LISTED, "compdef=_awsp"]);
    expect(r.stderr).toBe(`awsp: no profile nope in ${home}/.aws/config (awsp lists them)`);
  });

  it("awsp switches AWS_PROFILE in real fish, with completion", async () => {
    const r = await run("fish", [
      "-c",
      [
        "source ~/.config/dotops/shell/fish.d/awsp.fish",
        "awsp",
        "awsp prod",
        'echo "now=$AWS_PROFILE"',
        "awsp",
        "awsp nope",
        'echo "status=$status"',
        'echo "still=$AWS_PROFILE"',
        "awsp -",
        "set -q AWS_PROFILE; or echo cleared=unset",
        'complete -C "awsp d"',
      ].join("\n"),
    ]);
    const out = r.stdout.split("\n");
    expect(out.slice(0, LISTED.length)).toEqual(LISTED);
    expect(out.slice(LISTED.length).sort()).toEqual(["default\tAWS profile", "dev\tAWS profile"]);
  });

  it("awsp follows AWS_CONFIG_FILE, and says so when there are no profiles", async () => {
    const r = await run("bash", ["-c", ". ~/.config/dotops/shell/bash.d/awsp.bash; awsp; echo status=$?"], {
      env: { AWS_CONFIG_FILE: join(home, "missing") },
    });
    expect(r.stdout).toBe("status=1");
    expect(r.stderr).toBe(`awsp: no profiles in ${home}/missing`);
  });
});

describe("bad input", () => {
  /** `dotops check` of a repo with these programs (and files), from a fresh sandbox. */
  async function check(programs: string, extra: Record<string, string> = {}) {
    const bad = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "user-config.yaml": USER,
      "home/programs.yaml": programs,
      ...extra,
    });
    return dotops(["--repo", bad.dir, "check"], { home: sandbox().home });
  }

  it("an option of the wrong type names the option path and file:line, every one at once", async () => {
    const r = await check(
      [
        "programs:",
        "  git:",
        "    enable: true",
        "    aliases: [st]",
        "    userNmae: Alice",
        "  zsh:",
        "    history: { size: big }",
        "  awsSso:",
        "    profiles:",
        "      dev: { session: corp, accountId: 111111111111, roleName: Dev }",
        "",
      ].join("\n"),
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "home/programs.yaml:4:5: Invalid input: expected record, received array [host box] (at programs.git.aliases)",
    );
    expect(r.stderr).toContain(
      'home/programs.yaml:5:5: unknown key "userNmae" [host box] (at programs.git.userNmae)',
    );
    expect(r.stderr).toContain(
      "home/programs.yaml:7:16: Invalid input: expected number, received string [host box] (at programs.zsh.history.size)",
    );
    expect(r.stderr).toContain(
      'home/programs.yaml:10:29: expected the 12-digit account id as a quoted string ("012345678901") [host box] (at programs.awsSso.profiles.dev.accountId)',
    );
  });

  it("what a program cannot write is an error at its option's file:line, every program's at once", async () => {
    const r = await check(
      [
        "programs:",
        "  git:",
        "    enable: true",
        '    userEmail: "{{ user.mail }}"',
        '    aliases: { "bad name": status }',
        "  zsh:",
        "    enable: true",
        '    shellAliases: { "l l": ls }',
        "    sessionVariables: { 1BAD: x }",
        "  starship:",
        "    enable: true",
        "    settings: { character: }",
        "  neovim:",
        "    enable: true",
        "    initLua: files/nvim/missing.lua",
        "  awsSso:",
        "    enable: true",
        "    sessions: { corp: { startUrl: https://corp.awsapps.com/start, region: eu-west-1 } }",
        '    profiles: { dev: { session: crop, accountId: "111111111111", roleName: Dev } }',
        "",
      ].join("\n"),
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split("\n").filter((l) => l.includes("home/programs.yaml:"))).toHaveLength(7);
    const lines = r.stderr.split("\n").map((l) => l.replace(/^error: /, ""));
    const at = (where: string, text: string) =>
      expect(
        lines.find((l) => l.startsWith(where)),
        r.stderr,
      ).toContain(text);
    at("home/programs.yaml:4:17:", "undefined template value {{ user.mail }}");
    at("home/programs.yaml:5:16:", 'git alias "bad name" is not a valid name');
    at("home/programs.yaml:8:21:", '"l l" is not an alias name');
    at("home/programs.yaml:9:25:", '"1BAD" is not a valid variable name');
    at(
      "home/programs.yaml:12:17:",
      "TOML has no null: give a value or leave the key out [host box] (at programs.starship.settings.character)",
    );
    at("home/programs.yaml:15:5:", "initLua names files/nvim/missing.lua, which is not a file in commit");
    at(
      "home/programs.yaml:19:24:",
      'profile dev names session "crop", which is not in programs.awsSso.sessions (corp)',
    );
  });

  it("a program's target that a files: entry also manages is a conflict naming both file:line", async () => {
    const r = await check("programs:\n  zsh:\n    enable: true\n", {
      "home/files.yaml": "files:\n  - { target: ~/.zshrc, source: files/zshrc }\n",
      "files/zshrc": "# mine\n",
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /home\/programs\.yaml:2:3: ~\/\.zshrc is managed twice \(also at home\/files\.yaml:2:5\)/,
    );
  });

  it("options without enable: true write nothing, and say so", async () => {
    const r = await check("programs:\n  git: { userName: Alice }\n  zsh: { enable: false, initExtra: x }\n");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("box (linux): 0 resources");
    expect(r.stderr).toContain("home/programs.yaml:2:3: programs.git has options but no enable: true");
    expect(r.stderr).not.toContain("programs.zsh has options");
  });
});

describe("generations", () => {
  it("a commit that changes or drops a program switches its files; git revert brings them back byte for byte", async () => {
    const programs = (email: string, aws: boolean) =>
      [
        "programs:",
        `  git: { enable: true, userEmail: ${email} }`,
        `  awsSso: { enable: ${aws}, sessions: { s: { startUrl: "https://s.awsapps.com/start", region: eu-west-1 } }, profiles: { p: { session: s, accountId: "123456789012", roleName: R } } }`,
        "",
      ].join("\n");
    const r = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "user-config.yaml": USER,
      "home/programs.yaml": programs("a@x.example", true),
    });
    const { home: h } = sandbox();
    const apply = async () => {
      const out = await dotops(["--repo", r.dir, "apply", "--yes"], { home: h });
      expect(out.exitCode, out.stderr).toBe(0);
    };
    const gitEmail = async () =>
      (await execa("git", ["config", "--file", join(h, ".config/git/config"), "user.email"])).stdout;
    await apply();
    const before = {
      git: readFileSync(join(h, ".config/git/config"), "utf8"),
      aws: readFileSync(join(h, ".aws/config"), "utf8"),
    };
    expect(await gitEmail()).toBe("a@x.example");

    await r.commit({ "home/programs.yaml": programs("b@x.example", false) });
    await apply();
    expect(await gitEmail()).toBe("b@x.example");
    expect(existsSync(join(h, ".aws/config"))).toBe(false);
    expect(existsSync(join(h, ".config/dotops/shell/bash.d/awsp.bash"))).toBe(false);

    await r.revert();
    await apply();
    expect(readFileSync(join(h, ".config/git/config"), "utf8")).toBe(before.git);
    expect(readFileSync(join(h, ".aws/config"), "utf8")).toBe(before.aws);
  });
});

describe("programs.zsh with dotDir", () => {
  it("puts .zshrc in ZDOTDIR (set by ~/.zshenv), keeps history there, sources machine plugins and names a missing one", async () => {
    const r = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "user-config.yaml": USER,
      "home/programs.yaml": [
        "programs:",
        "  zsh:",
        "    enable: true",
        "    dotDir: .config/zsh",
        "    enableCompletion: false",
        "    plugins:",
        "      - { name: mine, src: ~/src/mine, file: init.zsh }",
        "      - { name: gone, src: /nonexistent/gone }",
        "    profileExtra: export FROM_PROFILE=1",
        "",
      ].join("\n"),
    });
    const { home: h } = sandbox();
    const applied = await dotops(["--repo", r.dir, "apply", "--yes"], { home: h });
    expect(applied.exitCode, applied.stderr).toBe(0);
    mkdirSync(join(h, "src/mine"), { recursive: true });
    writeFileSync(join(h, "src/mine/init.zsh"), "MINE_LOADED=yes\n");
    expect(existsSync(join(h, ".zshrc"))).toBe(false);
    const z = await execa(
      "zsh",
      ["-l", "-i", "-c", 'print -r -- "$ZDOTDIR|$HISTFILE|$MINE_LOADED|$FROM_PROFILE"'],
      {
        env: { HOME: h, PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "dumb" },
        extendEnv: false,
        reject: false,
        input: "",
      },
    );
    expect(z.stdout).toBe(`${h}/.config/zsh|${h}/.config/zsh/.zsh_history|yes|1`);
    expect(z.stderr).toBe("dotops: zsh plugin gone: /nonexistent/gone/gone.plugin.zsh is not there");
  });
});

describe("programs.neovim inline", () => {
  it("takes initLua as templated Lua text, and wraps Vimscript holding ]] and ]=] in a long string that still closes", async () => {
    const r = await ConfigRepo.create({
      "dotops.yaml": ENTRY,
      "user-config.yaml": USER,
      "home/programs.yaml": [
        "programs:",
        "  neovim:",
        "    enable: true",
        "    initLua: |",
        '      vim.g.author = "{{ user.name }}"',
        '    extraConfig: "let a = [[1]]\\nlet b = \\"]=]\\""',
        "",
      ].join("\n"),
    });
    const { home: h } = sandbox();
    const applied = await dotops(["--repo", r.dir, "apply", "--yes"], { home: h });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(readFileSync(join(h, ".config/nvim/init.lua"), "utf8")).toBe(
      'vim.g.author = "Alice Example"\nvim.cmd([==[\nlet a = [[1]]\nlet b = "]=]"\n]==])\n',
    );
    // No shell drop-ins without defaultEditor or aliases.
    expect(existsSync(join(h, ".config/dotops/shell/zsh.d/neovim.zsh"))).toBe(false);
  });
});
