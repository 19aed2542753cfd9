/**
 * The config side of the property tests: what a random config is (a spec per
 * target slot), how it is written into a real config repo, and the oracle that
 * says, without dotops, what HOME must hold once it is applied.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";

/**
 * Targets, relative to HOME. They overlap on purpose: `.c` and `.c/x`, `t`
 * and `t/f1` (a file where the other needs a directory is an invalid config;
 * an explicit file inside a tree beats the tree's own), and `.b`, `.c`, `t`,
 * `u` can be a file in one commit and a directory tree in the next.
 */
export const SLOTS = [".a", ".b", ".c", ".c/x", "t", "t/f1", "u"] as const;
export type Slot = (typeof SLOTS)[number];
const TREE_SLOTS: readonly Slot[] = [".b", ".c", "t", "u"];
/** Paths inside a tree source: a shared basename (f1) lets trees and files share store objects. */
const TREE_FILES = ["f1", "f2", "sub/g", "sub/deep/h"] as const;

export interface Content {
  text: string;
  exec: boolean;
}

export type Spec =
  | ({
      kind: "file";
      mode: "link" | "copy";
      /** Only with mode copy (links point into the read-only store). */
      perms?: "0644" | "0755" | "0600";
      /** `text:` in the entry instead of a source file in the repo. */
      inline: boolean;
    } & Content)
  | {
      kind: "tree";
      mode: "link" | "copy";
      /** The directory's own permissions (copy only); its files get them without x. */
      perms?: "0755" | "0700";
      files: Record<string, Content>;
    };

/** A config: the spec of each managed slot. */
export type ConfigModel = Partial<Record<Slot, Spec>>;

// Few distinct texts, so that contents repeat (shared store objects, identical files in the way).
export const textArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", "a\n", "b\n", "a\nb\n", "#!/bin/sh\necho hi\n") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const contentArb: fc.Arbitrary<Content> = fc.record({ text: textArb, exec: fc.boolean() });

const fileSpecArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({
    kind: fc.constant("file" as const),
    mode: fc.constant("link" as const),
    inline: fc.boolean(),
    text: textArb,
    exec: fc.boolean(),
  }),
  fc.record(
    {
      kind: fc.constant("file" as const),
      mode: fc.constant("copy" as const),
      perms: fc.constantFrom("0644" as const, "0755" as const, "0600" as const),
      inline: fc.boolean(),
      text: textArb,
      exec: fc.boolean(),
    },
    { requiredKeys: ["kind", "mode", "inline", "text", "exec"] },
  ),
);

const treeFilesArb: fc.Arbitrary<Record<string, Content>> = fc
  .record(Object.fromEntries(TREE_FILES.map((p) => [p, contentArb])), { requiredKeys: [] })
  .filter((files) => Object.keys(files).length > 0) // an empty directory is not in Git
  .map((files) => files as Record<string, Content>);

const treeSpecArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ kind: fc.constant("tree" as const), mode: fc.constant("link" as const), files: treeFilesArb }),
  fc.record(
    {
      kind: fc.constant("tree" as const),
      mode: fc.constant("copy" as const),
      perms: fc.constantFrom("0755" as const, "0700" as const),
      files: treeFilesArb,
    },
    { requiredKeys: ["kind", "mode", "files"] },
  ),
);

/** A new spec for `slot`, or null to stop managing it. */
export function specArb(slot: Slot): fc.Arbitrary<Spec | null> {
  const specs = TREE_SLOTS.includes(slot) ? fc.oneof(fileSpecArb, treeSpecArb) : fileSpecArb;
  return fc.option(specs, { freq: 5, nil: null });
}

/** One commit: up to three slots set to a new spec (or removed), in order. */
export const changeArb: fc.Arbitrary<[Slot, Spec | null][]> = fc.array(
  fc.oneof(...SLOTS.map((s) => specArb(s).map((spec): [Slot, Spec | null] => [s, spec]))),
  { minLength: 1, maxLength: 3 },
);

// --- the repo ---------------------------------------------------------------

export const ENTRY_YAML = "version: 1\nimports: [home/*.yaml]\nhosts:\n  box:\n    platform: linux\n";

const slug = (slot: Slot) => slot.replace(/^\./, "dot").replaceAll("/", "--");

/**
 * Writes a slot's files into the repo work tree: its entry (home/<slug>.yaml),
 * its source, and model/<slug>.json, the spec itself. All three change in the
 * same commits, so a `git revert` that applies cleanly restores them together
 * and the model is read back from the repo (readModel).
 */
export function writeSlot(repo: string, slot: Slot, spec: Spec | null): void {
  const s = slug(slot);
  for (const p of [`home/${s}.yaml`, `src/${s}`, `model/${s}.json`])
    rmSync(join(repo, p), { recursive: true, force: true });
  if (!spec) return;
  const entry: Record<string, unknown> = { target: `~/${slot}` };
  const write = (path: string, c: Content) => {
    const abs = join(repo, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, c.text);
    chmodSync(abs, c.exec ? 0o755 : 0o644);
  };
  if (spec.kind === "file" && spec.inline) {
    entry.text = spec.text;
    if (spec.exec) entry.executable = true;
  } else if (spec.kind === "file") {
    entry.source = `src/${s}`;
    write(`src/${s}`, spec);
  } else {
    entry.source = `src/${s}`;
    for (const [rel, c] of Object.entries(spec.files)) write(`src/${s}/${rel}`, c);
  }
  if (spec.mode === "copy") entry.mode = "copy";
  if (spec.perms) entry.permissions = spec.perms;
  // JSON is YAML: one flow mapping per entry, strings quoted whatever they hold.
  mkdirSync(join(repo, "home"), { recursive: true });
  writeFileSync(join(repo, `home/${s}.yaml`), `files:\n  - ${JSON.stringify(entry)}\n`);
  mkdirSync(join(repo, "model"), { recursive: true });
  writeFileSync(join(repo, `model/${s}.json`), `${JSON.stringify(spec)}\n`);
}

/** The config the repo's work tree holds (it is clean: every change is committed). */
export function readModel(repo: string): ConfigModel {
  const out: ConfigModel = {};
  const dir = join(repo, "model");
  const files = existsSync(dir) ? readdirSync(dir) : [];
  for (const slot of SLOTS) {
    const f = `${slug(slot)}.json`;
    if (files.includes(f)) out[slot] = JSON.parse(readFileSync(join(dir, f), "utf8")) as Spec;
  }
  return out;
}

// --- the oracle ---------------------------------------------------------------

/** What one path in HOME must be. Paths are relative to HOME. */
export type Expect =
  | { type: "link"; bytes: Buffer; exec: boolean }
  | { type: "file"; bytes: Buffer; exec: boolean; mode: number }
  | { type: "dir"; mode?: number };

export type Tree = Map<string, Expect>;

/**
 * HOME as the config says it must be, computed from the spec alone: an
 * explicit entry beats the tree it lies in (the deeper target wins), a file
 * where another entry needs a directory makes the config invalid, and every
 * parent of a managed path is a directory.
 */
export function expectedHome(config: ConfigModel): { tree: Tree } | { invalid: string } {
  const best = new Map<string, { depth: number; exp: Expect }>();
  const offer = (id: string, depth: number, exp: Expect) => {
    const b = best.get(id);
    if (!b || depth > b.depth) best.set(id, { depth, exp });
  };
  for (const slot of SLOTS) {
    const spec = config[slot];
    if (!spec) continue;
    const depth = slot.split("/").length;
    if (spec.kind === "file") {
      const bytes = Buffer.from(spec.text);
      if (spec.mode === "link") offer(slot, depth, { type: "link", bytes, exec: spec.exec });
      else {
        const mode = spec.perms ? Number.parseInt(spec.perms, 8) : spec.exec ? 0o755 : 0o644;
        offer(slot, depth, { type: "file", bytes, exec: spec.exec, mode });
      }
      continue;
    }
    const dirMode = spec.perms ? Number.parseInt(spec.perms, 8) : undefined;
    offer(slot, depth, dirMode === undefined ? { type: "dir" } : { type: "dir", mode: dirMode });
    for (const [rel, c] of Object.entries(spec.files)) {
      const bytes = Buffer.from(c.text);
      if (spec.mode === "link") offer(`${slot}/${rel}`, depth, { type: "link", bytes, exec: c.exec });
      else {
        const mode = dirMode === undefined ? (c.exec ? 0o755 : 0o644) : c.exec ? dirMode : dirMode & 0o666;
        offer(`${slot}/${rel}`, depth, { type: "file", bytes, exec: c.exec, mode });
      }
    }
  }
  const tree: Tree = new Map([...best].map(([id, b]) => [id, b.exp]));
  for (const [id, exp] of tree) {
    if (exp.type === "dir") continue;
    const inside = [...tree.keys()].find((other) => other.startsWith(`${id}/`));
    if (inside) return { invalid: `~/${id} is a file but ~/${inside} needs it to be a directory` };
  }
  for (const id of [...tree.keys()]) {
    const parts = id.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!tree.has(dir)) tree.set(dir, { type: "dir" });
    }
  }
  return { tree };
}
