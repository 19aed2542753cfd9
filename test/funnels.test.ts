import { afterEach, describe, expect, it } from "vitest";
import { git } from "../src/git/git.js";
import { ensureClone, fetchBranch } from "../src/git/remote.js";
import { ConfigRepo, minimalConfig, tempDir } from "./helpers.js";

/*
 * STYLE 11: Git runs behind one funnel, src/git/, in one environment: the
 * user's own, never prompting.
 */

/** Sets process.env for one test (the funnel reads it on every call); afterEach puts it back. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!savedEnv.has(k)) savedEnv.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
afterEach(() => {
  for (const [k, v] of savedEnv) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  savedEnv.clear();
});

describe("one Git funnel", () => {
  it("clones and fetches in a user's everyday environment (EDITOR, PAGER, askpass helpers set)", async () => {
    // simple-git refuses to run git when these name a program, unless told the environment is trusted.
    setEnv({
      EDITOR: "vim",
      GIT_EDITOR: "vim",
      PAGER: "less",
      GIT_PAGER: "less",
      GIT_ASKPASS: "/usr/share/code/askpass.sh",
      SSH_ASKPASS: "/usr/lib/ssh/ssh-askpass",
      GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
    });
    const origin = await ConfigRepo.create(minimalConfig());
    const clone = `${tempDir()}/repo`;
    await ensureClone(clone, `file://${origin.dir}`, 20_000);
    const tip = await origin.commit({ "files/zshrc": "export EDITOR=vim\n" });
    await fetchBranch(clone, "main", true, 20_000);
    expect((await git(clone, ["rev-parse", "refs/heads/main"])).stdout.toString().trim()).toBe(tip);
  });
});
