import { readdirSync, readFileSync } from "node:fs";
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

async function applied(example: string, host: string) {
  const repo = await ConfigRepo.fromExample(example);
  const { home } = sandbox();
  const env = { PATH: `${SIM_BIN}:${process.env.PATH}`, SIM_STATE: tempDir("dotops-sim-") };
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

  it("macos-workstation applies into a sandbox HOME: git, starship, alacritty, aws config and awsp work", async () => {
    const { home, sh } = await applied("macos-workstation", "work-mac");
    const git = await execa("git", ["config", "--global", "--list"], { env: { HOME: home }, reject: false });
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
    const aliases = await sh("zsh", "alias rebuild health-check cleanup ll");
    expect(aliases.stdout).toContain("rebuild='dotops apply'");
    expect(aliases.stdout).toContain("ll='ls -la'");
  });

  it("linux-devbox applies into a sandbox HOME: dotfiles, shell, git, a systemd timer and awsp", async () => {
    const { home, sh } = await applied("linux-devbox", "devbox");
    expect(readFileSync(join(home, ".tmux.conf"), "utf8")).toContain("set -g mouse on");
    const git = await execa("git", ["config", "--global", "init.defaultBranch"], { env: { HOME: home } });
    expect(git.stdout).toBe("main");
    expect(readFileSync(join(home, ".config/systemd/user/dev.alice.docker-prune.timer"), "utf8")).toContain(
      "OnUnitActiveSec",
    );
    const r = await sh("zsh", 'awsp sandbox >/dev/null && echo "$AWS_PROFILE $EDITOR"');
    expect(r.stdout.trim(), r.stderr).toBe("sandbox vim");
  });
});
