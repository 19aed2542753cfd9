import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

describe("apply end to end", () => {
  it("applies, is idempotent, and a revert switches back to the earlier content", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home } = sandbox();
    const run = (...args: string[]) => dotops(["--repo", repo.dir, ...args], { home });

    const first = await run("apply");
    expect(first.exitCode, first.stderr).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
    expect(readlinkSync(join(home, ".zshrc"))).toBe(join(home, ".local/state/dotops/current/home/.zshrc"));

    const again = await run("apply");
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/No changes/);

    await repo.commit({ "files/zshrc": "export EDITOR=vim\n" });
    expect((await run("apply")).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=vim\n");

    await repo.revert();
    const plan = await run("plan");
    expect(plan.stdout).toMatch(/rollback to generation 1/);
    expect((await run("apply")).exitCode).toBe(0);
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");

    const gens = JSON.parse((await run("--json", "generations")).stdout);
    expect(gens.map((g: { number: number }) => g.number)).toEqual([1, 2, 3]);
    expect(gens[2]).toMatchObject({ current: true, sameContentAs: 1, outcome: "applied" });
  });
});
