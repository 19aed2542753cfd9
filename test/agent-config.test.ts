import { describe, expect, it } from "vitest";
import { withRemote } from "./agent-helpers.js";
import { ConfigRepo, dotops, minimalConfig, sandbox } from "./helpers.js";

const withAgent = (yaml: string) => `${minimalConfig()["dotops.yaml"]}agent:\n${yaml}`;

describe("agent settings do what they say", () => {
  it("one duration grammar: what the config accepts, --interval and gc --older-than accept", async () => {
    const { remote } = await withRemote(minimalConfig());
    const { home } = sandbox();
    const day = await dotops(["agent", "--once", "--interval", "1d", "--remote", remote], { home });
    expect(day.exitCode, day.stderr).toBe(0);
    expect((await dotops(["gc", "--older-than", "1d", "--dry-run"], { home })).exitCode).toBe(0);

    const hint = 'a duration like "60s", "10m", "2h" or "30d"';
    const week = await dotops(["agent", "--once", "--interval", "1w"], { home });
    expect(week.exitCode).toBe(2);
    expect(week.stderr).toContain(`--interval wants ${hint}, not "1w"`);
    expect((await dotops(["gc", "--older-than", "1w"], { home })).exitCode).toBe(2);
    const repo = await ConfigRepo.create(minimalConfig({ "dotops.yaml": withAgent("  interval: 1w\n") }));
    const check = await dotops(["--repo", repo.dir, "check"], { home });
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain(hint);
  });
});
