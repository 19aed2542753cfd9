import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { dotops, sandbox, tempDir } from "./helpers.js";

describe("completion", () => {
  it("bash completes commands and each command's options from the real command tree", async () => {
    const { home } = sandbox();
    const r = await dotops(["completion", "bash"], { home });
    expect(r.exitCode).toBe(0);
    const file = join(tempDir(), "dotops.bash");
    writeFileSync(file, r.stdout);
    const complete = async (...words: string[]) => {
      const script = `source ${file}; COMP_WORDS=(dotops ${words.join(" ")}); COMP_CWORD=${words.length}; _dotops; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await execa("bash", ["-c", script])).stdout.split("\n");
    };
    expect(await complete("ro")).toEqual(["rollback"]);
    expect(await complete("re")).toEqual(expect.arrayContaining(["rebuild", "resume"]));
    expect(await complete("apply", "--dr")).toEqual(["--dry-run"]);
    expect(await complete("gc", "--ke")).toEqual(["--keep"]);
  });

  it("zsh and fish scripts name every command; unknown shells are a usage error", async () => {
    const { home } = sandbox();
    const zsh = await dotops(["completion", "zsh"], { home });
    expect(zsh.stdout).toMatch(/^#compdef dotops/);
    expect(zsh.stdout).toContain("'install-agent:run the agent as a user service");
    const fish = await dotops(["completion", "fish"], { home });
    expect(fish.stdout).toContain("complete -c dotops -n __fish_use_subcommand -a generations");
    const bad = await dotops(["completion", "tcsh"], { home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/choose bash, zsh or fish/);
  });
});
