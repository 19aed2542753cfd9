/**
 * The proving loop of the Action's mode ephemeral, against a scripted machine:
 * each "apply" is one transaction that fails on the first resource the script
 * says is broken (naming it, or its whole batch, as the engine's
 * TransactionError does) and otherwise puts everything in place. What the
 * real engine does with files is in action.test.ts; here the batches (one
 * `brew install` for many) that files never form.
 */
import { describe, expect, it } from "vitest";
import { type Attempts, modulesWithout, proveResources } from "../action/src/ephemeral.js";
import { TransactionError } from "../src/engine/journal.js";
import type { Plan } from "../src/engine/plan.js";
import { MODULES } from "../src/modules/manifest.js";
import type { Change } from "../src/resources/change.js";

interface Machine {
  /** Resources the config wants, in step order; brews batch into one step group. */
  wanted: { id: string; kind: string; refusal?: string }[];
  /** Ids whose install fails, with what the tool says. */
  broken: Record<string, string>;
}

/** A machine that keeps what an apply that held put there, and counts applies. */
function scripted(m: Machine) {
  const installed = new Set<string>();
  const log: string[][] = [];
  const changes = (exclude: ReadonlySet<string>): Change[] =>
    m.wanted
      .filter((w) => !exclude.has(w.id) && !installed.has(w.id))
      .map((w) => ({
        action: "create",
        kind: w.kind,
        id: w.id,
        destructive: false,
        needsRoot: false,
        phase: w.kind === "brew" ? 24 : 30,
        steps: [{ op: `${w.kind}-install`, name: w.id }],
        ...(w.refusal ? { refusal: w.refusal } : {}),
      }));
  const plan = (exclude: ReadonlySet<string>): Plan => {
    const c = changes(exclude);
    return {
      host: "mac",
      from: null,
      to: { commit: null, manifestHash: "" },
      rollbackTo: null,
      changes: c,
      unchanged: m.wanted.filter((w) => installed.has(w.id)).map((w) => ({ kind: w.kind, id: w.id })),
      summary: { create: c.length, update: 0, delete: 0, destructive: 0 },
    };
  };
  const attempts: Attempts = {
    plan: async (exclude) => plan(exclude),
    apply: async (exclude) => {
      const p = plan(exclude);
      if (p.changes.some((c) => c.refusal)) throw new Error("refusing to apply");
      log.push(p.changes.map((c) => c.id));
      // Brews run as one batch, the rest one by one, in order.
      const brews = p.changes.filter((c) => c.kind === "brew");
      const groups = [brews, ...p.changes.filter((c) => c.kind !== "brew").map((c) => [c])].filter(
        (g) => g.length,
      );
      for (const g of groups) {
        const bad = g.find((c) => c.id in m.broken);
        if (bad) {
          const err = new TransactionError(
            new Error(m.broken[bad.id]),
            1,
            g.flatMap((c) => c.steps),
          );
          err.resources = g.map((c) => c.id);
          throw err;
        }
      }
      for (const c of p.changes) installed.add(c.id);
      return { plan: p, generation: log.length, rolledBackTo: null };
    },
  };
  return { attempts, installed, log };
}

const status = (r: Awaited<ReturnType<typeof proveResources>>) =>
  Object.fromEntries(r.resources.map((x) => [x.id, x.reason ? `${x.status}: ${x.reason}` : x.status]));

describe("mode ephemeral's per-resource proof", () => {
  it("applies everything in one go when nothing fails", async () => {
    const m = scripted({
      wanted: [
        { id: "brew/hello", kind: "brew" },
        { id: "~/.zshrc", kind: "link" },
      ],
      broken: {},
    });
    const r = await proveResources(m.attempts);
    expect(r).toMatchObject({ applies: 1, generation: 1, unchanged: 0 });
    expect(status(r)).toEqual({ "brew/hello": "applied", "~/.zshrc": "applied" });
    expect(r.stopped).toBeUndefined();
  });

  it("sets a failed resource aside and applies the rest again; what came after it is proven too", async () => {
    const m = scripted({
      wanted: [
        { id: "cask/nope", kind: "cask" },
        { id: "defaults/dev.dotops.ci/when", kind: "defaults" },
        { id: "~/.zshrc", kind: "link" },
      ],
      broken: { "cask/nope": "Error: Cask 'nope' is unavailable: No Cask with this name exists." },
    });
    const r = await proveResources(m.attempts);
    expect(r.applies).toBe(2);
    expect(m.log).toEqual([
      ["cask/nope", "defaults/dev.dotops.ci/when", "~/.zshrc"],
      ["defaults/dev.dotops.ci/when", "~/.zshrc"],
    ]);
    expect(status(r)).toEqual({
      "cask/nope": "failed: Error: Cask 'nope' is unavailable: No Cask with this name exists.",
      "defaults/dev.dotops.ci/when": "applied",
      "~/.zshrc": "applied",
    });
    // Failures come first in the report.
    expect(r.resources[0]?.id).toBe("cask/nope");
  });

  it("halves a failed batch until the failing formula is alone, and proves the others of the batch", async () => {
    const brews = ["a", "b", "c", "d", "e"].map((n) => ({ id: `brew/${n}`, kind: "brew" }));
    const m = scripted({
      wanted: [...brews, { id: "~/.zshrc", kind: "link" }],
      broken: { "brew/d": 'Error: No available formula with the name "d".' },
    });
    const r = await proveResources(m.attempts);
    expect(status(r)).toEqual({
      "brew/a": "applied",
      "brew/b": "applied",
      "brew/c": "applied",
      "brew/d": 'failed: Error: No available formula with the name "d".',
      "brew/e": "applied",
      "~/.zshrc": "applied",
    });
    expect(m.installed).toEqual(new Set(["brew/a", "brew/b", "brew/c", "brew/e", "~/.zshrc"]));
    // a b c d e fails; a b c (d e set aside) holds; d e fails; d alone fails; e holds.
    expect(m.log.map((ids) => ids.filter((id) => id.startsWith("brew/")).join(" "))).toEqual([
      "brew/a brew/b brew/c brew/d brew/e",
      "brew/a brew/b brew/c",
      "brew/d brew/e",
      "brew/d",
      "brew/e",
    ]);
    expect(r.applies).toBe(5);
  });

  it("reports a refused resource with its reason and never tries it", async () => {
    const m = scripted({
      wanted: [
        {
          id: "brew/hello",
          kind: "brew",
          refusal: "not observable here: brew is not on PATH (install Homebrew)",
        },
        { id: "~/.zshrc", kind: "link" },
      ],
      broken: {},
    });
    const r = await proveResources(m.attempts);
    expect(status(r)).toEqual({
      "brew/hello": "refused: not observable here: brew is not on PATH (install Homebrew)",
      "~/.zshrc": "applied",
    });
    expect(m.log).toEqual([["~/.zshrc"]]);
  });

  it("stops on a failure that names no resource, marking what was undone as not proven", async () => {
    const r = await proveResources({
      plan: async () => ({
        host: "box",
        from: null,
        to: { commit: null, manifestHash: "" },
        rollbackTo: null,
        changes: [
          {
            action: "create",
            kind: "link",
            id: "~/.zshrc",
            destructive: false,
            needsRoot: false,
            phase: 30,
            steps: [],
          },
        ],
        unchanged: [{ kind: "link", id: "~/.inputrc" }],
        summary: { create: 1, update: 0, delete: 0, destructive: 0 },
      }),
      apply: async () => {
        throw new TransactionError(new Error("failpoint commit"), 3);
      },
    });
    expect(r.applies).toBe(1);
    expect(r.unchanged).toBe(1);
    expect(r.stopped).toBe("failpoint commit");
    expect(status(r)).toEqual({
      "~/.zshrc": "undone: the apply failed on no resource of its own (failpoint commit)",
    });
  });

  it("gives up after a bounded number of applies, saying what was not proven", async () => {
    const wanted = Array.from({ length: 6 }, (_, i) => ({ id: `cask/bad${i}`, kind: "cask" }));
    const m = scripted({
      wanted: [...wanted, { id: "~/.zshrc", kind: "link" }],
      broken: Object.fromEntries(wanted.map((w) => [w.id, `Error: Cask '${w.id}' is unavailable`])),
    });
    const r = await proveResources(m.attempts, 3);
    expect(r.applies).toBe(3);
    expect(r.stopped).toBe("gave up after 3 applies");
    expect(r.resources.filter((x) => x.status === "failed").map((x) => x.id)).toEqual([
      "cask/bad0",
      "cask/bad1",
      "cask/bad2",
    ]);
    expect(status(r)["~/.zshrc"]).toBe("undone: not proven: gave up after 3 applies");
  });

  it("leaves out the excluded resources and everything inside an excluded directory", () => {
    const mod = () => ({
      blobs: [],
      resources: ["~/.zshrc", "~/locked", "~/locked/conf", "~/lockedness", "brew/hello"].map((id) => ({
        id,
        kind: "x",
      })),
    });
    const [filtered] = modulesWithout(new Set(["~/locked", "brew/hello"]), [mod as never]);
    const ids = (filtered as (c: never) => { resources: { id: string }[] })(undefined as never).resources.map(
      (r) => r.id,
    );
    expect(ids).toEqual(["~/.zshrc", "~/lockedness"]);
    expect(modulesWithout(new Set())).toBe(MODULES);
  });
});
