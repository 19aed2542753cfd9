import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse as parseIni } from "ini";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, ROOT, sandbox, tempDir } from "./helpers.js";

/*
 * Every bundled example passes `dotops check`, and the workstation examples
 * applied into a sandbox HOME give what their tools read: a git config real
 * git reads, TOML that parses, an ~/.aws/config with the right sections and
 * a working `awsp` in bash and zsh (issue 12's acceptance). macOS-only kinds
 * run against the simulators.
 */

const SIM_BIN = join(ROOT, "test/simulators/bin");
const EXAMPLES = readdirSync(join(ROOT, "config-examples")).sort();
/** On the macOS CI job the real tools stand where the simulators would (and nix is absent): applying an example there would change the runner. */
const REAL_TOOLS = process.env.DOTOPS_REAL_MACOS_TOOLS === "1";

/**
 * Nix packages come from nixpkgs, which a test cannot fetch: a stand-in flake in the
 * repo gives each package as a tiny derivation (as in test/nix.test.ts), built offline.
 */
const NIX_CONFIG =
  "experimental-features = nix-command flakes\nbuild-users-group =\nsandbox = false\nsubstituters =";
const STAND_IN = (names: string[]) => `{
  outputs = { self }: let
    mk = n: derivation {
      name = "\${n}-1.0"; system = builtins.currentSystem; builder = "/bin/sh";
      args = [ "-c" "export PATH=/bin:/usr/bin; mkdir -p $out/bin; printf '#!/bin/sh\\\\necho \${n}\\\\n' > $out/bin/\${n}; chmod +x $out/bin/\${n}" ];
    };
  in { packages.\${builtins.currentSystem} = { ${names.map((n) => `${n} = mk "${n}";`).join(" ")} }; };
}
`;

async function applied(example: string, host: string) {
  const repo = await ConfigRepo.fromExample(example);
  if (existsSync(join(repo.dir, "system/nix.yaml")))
    await repo.commit({
      "flake.nix": STAND_IN(["git", "curl", "wget", "jq"]),
      "system/zz-nix-stand-in.yaml": 'nix: { packagesFrom: "." }\n',
    });
  const { home } = sandbox();
  const env = {
    PATH: `${SIM_BIN}:${process.env.PATH}`,
    SIM_STATE: tempDir("dotops-sim-"),
    NIX_CONFIG,
  };
  const r = await dotops(["--repo", repo.dir, "--host", host, "apply"], { home, env });
  expect(r.exitCode, r.stderr).toBe(0);
  const sh = (shell: string, script: string) =>
    execa(shell, ["-i", "-c", script], {
      cwd: home,
      env: { HOME: home, PATH: process.env.PATH, TERM: "dumb" },
      reject: false,
    });
  return { home, sh };
}

describe("the bundled examples", () => {
  it.each(EXAMPLES)("%s passes dotops check for every host", async (example) => {
    const repo = await ConfigRepo.fromExample(example);
    const r = await dotops(["--repo", repo.dir, "check"], { home: sandbox().home });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it.skipIf(REAL_TOOLS)(
    "macos-workstation applies into a sandbox HOME: git, starship, alacritty, aws config and awsp work",
    async () => {
      const { home, sh } = await applied("macos-workstation", "work-mac");
      const git = await execa("git", ["config", "--global", "--list"], {
        env: { HOME: home },
        reject: false,
      });
      expect(git.stdout).toContain("user.email=alice@example.com");
      expect(git.stdout).toContain("pull.rebase=true");
      expect(git.stdout).toContain("includeif.gitdir:~/work/.path=~/.config/git/work");
      expect(parseToml(readFileSync(join(home, ".config/starship.toml"), "utf8"))).toMatchObject({
        add_newline: false,
      });
      expect(parseToml(readFileSync(join(home, ".config/alacritty/alacritty.toml"), "utf8"))).toMatchObject({
        font: { size: 14 },
      });
      const aws = parseIni(readFileSync(join(home, ".aws/config"), "utf8"));
      expect(Object.keys(aws).sort()).toEqual(["profile dev", "profile prod", "sso-session corp"]);
      expect(aws["profile prod"]).toMatchObject({ sso_session: "corp", sso_account_id: "222222222222" });
      for (const shell of ["bash", "zsh"]) {
        const r = await sh(
          shell,
          'awsp prod >/dev/null && echo "profile=$AWS_PROFILE"; awsp - ; echo "after=[$AWS_PROFILE]"',
        );
        expect(r.stdout, `${shell}: ${r.stderr}`).toContain("profile=prod");
        expect(r.stdout).toContain("after=[]");
      }
      // The reference system's commands, as aliases of dotops, beside the user's own.
      // The Nix part: one profile with the four packages, on the shell's PATH.
      const jq = await sh("zsh", "command -v jq && jq");
      expect(jq.stdout).toContain(".local/state/dotops/nix/profile/bin/jq");
      expect(jq.stdout).toContain("jq");
      expect(readFileSync(join(home, ".config/nix/nix.conf"), "utf8")).toContain(
        "experimental-features = nix-command flakes",
      );
      const aliases = await sh("zsh", "alias rebuild health-check cleanup ll");
      expect(aliases.stdout).toContain("rebuild='dotops apply'");
      expect(aliases.stdout).toContain("ll='ls -la'");
    },
  );

  it.skipIf(REAL_TOOLS)(
    "linux-devbox applies into a sandbox HOME: dotfiles, shell, git, a systemd timer and awsp",
    async () => {
      const { home, sh } = await applied("linux-devbox", "devbox");
      expect(readFileSync(join(home, ".tmux.conf"), "utf8")).toContain("set -g mouse on");
      const git = await execa("git", ["config", "--global", "init.defaultBranch"], { env: { HOME: home } });
      expect(git.stdout).toBe("main");
      expect(readFileSync(join(home, ".config/systemd/user/dev.alice.docker-prune.timer"), "utf8")).toContain(
        "OnUnitActiveSec",
      );
      const r = await sh("zsh", 'awsp sandbox >/dev/null && echo "$AWS_PROFILE $EDITOR"');
      expect(r.stdout.trim(), r.stderr).toBe("sandbox vim");
    },
  );

  it.skipIf(REAL_TOOLS)(
    "fleet applies the team base (an input pinned in dotops.lock) with the person's overlay on top",
    async () => {
      const { home, sh } = await applied("fleet", "alice-devbox");
      expect(readFileSync(join(home, ".editorconfig"), "utf8")).toContain("indent_size = 2");
      expect(readFileSync(join(home, ".config/git/ignore"), "utf8")).toContain(".DS_Store");
      const git = await execa("git", ["config", "--global", "user.name"], { env: { HOME: home } });
      expect(git.stdout).toBe("Alice");
      const r = await sh("bash", 'alias gs k | tr "\n" " "; echo "$EDITOR"');
      expect(r.stdout.trim(), r.stderr).toBe("alias gs='git status --short' alias k='kubectl' nvim");
    },
  );
});
