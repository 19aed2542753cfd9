/** The resource-kind seam: a kind defined outside src/ runs through the real engine untouched. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Config } from "../src/config/load.js";
import { sourceFromRecord } from "../src/config/source.js";
import { apply, switchGeneration } from "../src/engine/apply.js";
import type { Engine } from "../src/engine/engine.js";
import { listGenerations } from "../src/engine/generations.js";
import { statePaths } from "../src/engine/state.js";
import { SandboxHost } from "../src/host/sandbox-host.js";
import { MODULES } from "../src/modules/manifest.js";
import { registerKind } from "../src/resources/registry.js";
import { tempDir } from "./helpers.js";
import { markerKind } from "./marker-kind/index.js";

registerKind(markerKind);

/** A module reading `vars.markers` (comma-separated names) into marker resources. */
const markerModule = (config: Config) => ({
  resources: String(config.vars.markers ?? "")
    .split(",")
    .filter(Boolean)
    .map((name) => ({ kind: "marker", id: `marker:${name}`, text: `${name}\n` })),
  blobs: [],
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("a kind added outside the engine", () => {
  it("is planned, applied, recorded, rolled back and undone on failure like the built-in kinds", async () => {
    const host = new SandboxHost(tempDir("dotops-kind-"));
    const eng: Engine = { host, state: statePaths(`${host.home}/.local/state/dotops`), log: silent };
    const request = (markers: string, commit: string) => ({
      load: async () => ({
        ...sourceFromRecord({
          "dotops.yaml": `version: 1\nhosts: { box: { platform: linux } }\nvars: { markers: "${markers}" }\n`,
        }),
        commit: commit.repeat(40),
      }),
      loadOptions: {},
      modules: [...MODULES, markerModule],
    });
    const marker = (name: string) => join(host.home, ".markers", name);

    const first = await apply(eng, request("a,b", "a"));
    expect(first.plan.changes.map((c) => `${c.action} ${c.kind} ${c.id}`)).toEqual([
      "create marker marker:a",
      "create marker marker:b",
    ]);
    expect(readFileSync(marker("a"), "utf8")).toBe("a\n");
    expect((await apply(eng, request("a,b", "a"))).noop).toBe(true);

    await apply(eng, request("a", "b"));
    expect(existsSync(marker("b"))).toBe(false);
    await switchGeneration(eng, 1);
    expect(readFileSync(marker("b"), "utf8")).toBe("b\n");

    // A failure after the steps ran: the journal undoes the kind's steps too.
    eng.failpoints = {
      hit: (name) => {
        if (name === "commit") throw new Error("boom");
      },
    };
    await expect(apply(eng, request("c", "c"))).rejects.toThrow(/apply failed and was undone/);
    expect(existsSync(marker("c"))).toBe(false);
    expect(readFileSync(marker("a"), "utf8")).toBe("a\n");
    expect((await listGenerations(host, eng.state)).map((g) => g.outcome)).toEqual([
      "applied",
      "applied",
      "failed",
    ]);
  });
});
