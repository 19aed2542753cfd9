import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { expandHomeIn } from "../services/expand.js";
import { missingDirs } from "../services/service-file.js";
import { contentDiff } from "../shared/content-diff.js";
import {
  absHome,
  clearTheWay,
  contentAt,
  observeHomePath,
  type PathObservation,
  unsafeChange,
} from "../shared/home-path.js";
import { isUnobservable, missingTool, type Unobservable, unobservableChange } from "../shared/tools.js";
import type { Step } from "../step.js";
import { mainUnit, systemdUnits } from "./render.js";
import type { AdoptedUnit, SystemdUnitResource } from "./resource.js";
import { type SystemdStep, systemdSteps, type UnitFile } from "./steps.js";
import { unitFileState } from "./systemctl.js";

export type { SystemdUnitResource };

const KIND = "systemd-unit";
const ON_LINUX = "systemd user units are Linux's: plan this host on a machine with systemd";

interface ObservedFile {
  obs: PathObservation;
  content: string | null;
}

export type SystemdObservation =
  | Unobservable
  | {
      /** `<label>.service` and `<label>.timer`, by file name. */
      files: Record<string, ObservedFile>;
      /** `systemctl --user is-enabled` of each (null: systemd does not know the unit file). */
      state: Record<string, string | null>;
    };

const unitNames = (label: string) => [`${label}.service`, `${label}.timer`];
const fileId = (name: string) => `~/.config/systemd/user/${name}`;

/** The unit files this resource has on this machine (`~` expanded to its HOME). */
export const unitFiles = (ctx: ResourceContext, r: SystemdUnitResource) =>
  systemdUnits(expandHomeIn(r.service, ctx.host.home));

/**
 * A systemd user unit (`~/.config/systemd/user/<label>.service`, and a
 * `.timer` for startInterval): written, `daemon-reload`ed and `enable --now`ed;
 * restarted only when a unit file changed. Removal disables and stops it
 * first (Phase.stopServices), then deletes the files and reloads.
 */
export const systemdUnitKind: KindHandler<SystemdUnitResource, SystemdObservation> = {
  kind: KIND,
  steps: systemdSteps,
  describe: (r) => `systemd user unit ${r.service.label}.service`,
  async observe(ctx, r) {
    const missing = await missingTool(ctx, "systemctl", ON_LINUX);
    if (missing) return missing;
    const files: Record<string, ObservedFile> = {};
    const state: Record<string, string | null> = {};
    for (const name of unitNames(r.service.label)) {
      const obs = await observeHomePath(ctx, fileId(name));
      const content = obs.unsafe ? null : ((await contentAt(ctx, obs))?.toString("utf8") ?? null);
      files[name] = { obs, content };
      state[name] = obs.stat ? await unitFileState(ctx.host, name) : null;
    }
    return { files, state };
  },
  assume(ctx, previous, id) {
    const label = id.slice("systemd/".length).replace(/\.service$/, "");
    const had = previous?.kind === KIND ? unitFiles(ctx, previous as SystemdUnitResource) : {};
    const files: Record<string, ObservedFile> = {};
    const state: Record<string, string | null> = {};
    for (const name of unitNames(label)) {
      const content = had[name] ?? null;
      const stat = content === null ? null : { type: "file" as const, mode: 0o644, size: 0, mtimeMs: 0 };
      files[name] = { obs: { abs: absHome(ctx, fileId(name)), stat, assumed: true }, content };
      state[name] =
        content === null
          ? null
          : name === mainUnit((previous as SystemdUnitResource).service)
            ? "enabled"
            : "static";
    }
    return { files, state };
  },
  async plan(ctx, desired, previous, o): Promise<Change | null> {
    const r = (desired ?? previous) as SystemdUnitResource;
    if (isUnobservable(o)) return unobservableChange(KIND, r.id, desired, previous, o);
    const unsafe = Object.values(o.files).find((f) => f.obs.unsafe)?.obs.unsafe;
    if (unsafe) return unsafeChange(KIND, r.id, desired !== undefined, unsafe);
    return desired ? place(ctx, desired, previous, o) : remove(ctx, previous as SystemdUnitResource, o);
  },
};

type Observed = Exclude<SystemdObservation, Unobservable>;

function base(r: SystemdUnitResource, action: Change["action"], phase: number) {
  return { kind: KIND, id: r.id, action, phase, destructive: false, needsRoot: false };
}

const isFile = (f: ObservedFile) => f.obs.stat?.type === "file";
const toggle = (op: "systemd-enable" | "systemd-disable", unit: string, o: Observed): SystemdStep => ({
  op,
  unit,
  path: o.files[unit]?.obs.abs as string,
});

async function place(
  ctx: ResourceContext,
  desired: SystemdUnitResource,
  previous: SystemdUnitResource | undefined,
  o: Observed,
): Promise<Change | null> {
  const want = unitFiles(ctx, desired);
  const had = previous ? unitFiles(ctx, previous) : {};
  const change = (c: Partial<Change> & Pick<Change, "steps">): Change => ({
    ...base(desired, previous ? "update" : "create", Phase.services),
    ...c,
  });
  const files: UnitFile[] = [];
  const clear: Step[] = [];
  const notes: string[] = [];
  const refusals: string[] = [];
  const diffs: string[] = [];
  for (const name of unitNames(desired.service.label)) {
    const f = o.files[name] as ObservedFile;
    const w = want[name] ?? null;
    const ours = had[name] !== undefined;
    if (w === null) {
      if (ours && isFile(f)) files.push({ path: f.obs.abs, content: null, prev: f.content });
      continue;
    }
    if (isFile(f) && f.content === w) continue;
    diffs.push(contentDiff(fileId(name), f.content === null ? null : Buffer.from(f.content), Buffer.from(w)));
    if (!f.obs.stat || (ours && isFile(f))) {
      if (ours && f.content !== had[name])
        notes.push(`${name} was edited outside dotops: rewritten from the config`);
      files.push({ path: f.obs.abs, content: w, prev: f.content });
    } else if (f.obs.stat.type === "symlink" && f.content === w) {
      clear.push({ op: "unlink-link", path: f.obs.abs, target: f.obs.linkTarget as string });
      files.push({ path: f.obs.abs, content: w, prev: null });
    } else {
      const way = await clearTheWay(ctx, fileId(name), f.obs);
      if (way.refusal) refusals.push(way.refusal);
      if (way.note) notes.push(way.note);
      clear.push(...way.steps);
      files.push({ path: f.obs.abs, content: w, prev: null });
    }
  }
  const main = mainUnit(desired.service);
  const enabled = o.state[main] === "enabled";
  const before = previous ? mainUnit(previous.service) : null;
  const disableOld =
    before && before !== main && o.state[before] === "enabled" ? [toggle("systemd-disable", before, o)] : [];
  const enable = enabled ? [] : [toggle("systemd-enable", main, o)];
  const note = notes.join("; ") || undefined;
  if (refusals.length) return change({ steps: [], refusal: refusals.join("; "), note });

  if (!files.length) {
    if (!previous) {
      // The user's own units, byte for byte what the config says: adopted, and left as they were when unmanaged.
      const owns: AdoptedUnit = { prior: { files: want, enabled } };
      return change({
        steps: enable,
        owns,
        note: `already there with this content: adopted${enabled ? "" : " and enabled"}`,
      });
    }
    if (enabled && !disableOld.length) return null;
    return change({
      steps: [...disableOld, ...enable],
      note: `${main} is not enabled: enables and starts it`,
    });
  }
  const mkdirs = await missingDirs(ctx, files[0]?.path as string);
  const write: SystemdStep = {
    op: "systemd-files",
    files,
    restart: enabled ? [main] : [],
    ...(mkdirs.length ? { mkdirs } : {}),
  };
  return change({ steps: [...disableOld, ...clear, write, ...enable], diff: diffs.join(""), note });
}

async function remove(
  ctx: ResourceContext,
  previous: SystemdUnitResource,
  o: Observed,
): Promise<Change | null> {
  const change = (c: Partial<Change> & Pick<Change, "steps">): Change => ({
    ...base(previous, "delete", Phase.stopServices),
    ...c,
  });
  const main = mainUnit(previous.service);
  const enabled = o.state[main] === "enabled";
  const ours = Object.keys(unitFiles(ctx, previous));
  const adopted = ctx.ownership?.get(previous.id) as AdoptedUnit | undefined;
  if (adopted?.prior) {
    // They were the user's before dotops: put back those files and that state, nothing more.
    const prior = adopted.prior;
    const files: UnitFile[] = [];
    for (const name of new Set([...Object.keys(prior.files), ...ours])) {
      const f = o.files[name] as ObservedFile;
      const back = prior.files[name] ?? null;
      if ((back === null && isFile(f)) || (back !== null && f.content !== back))
        files.push({ path: f.obs.abs, content: back, prev: f.content });
    }
    const steps: Step[] = [
      ...(enabled && !prior.enabled ? [toggle("systemd-disable", main, o)] : []),
      ...(files.length
        ? [{ op: "systemd-files", files, restart: enabled && prior.enabled ? [main] : [] }]
        : []),
      ...(!enabled && prior.enabled ? [toggle("systemd-enable", main, o)] : []),
    ];
    return change({
      steps,
      note: steps.length
        ? "was there before dotops: restored as it was"
        : "was there before dotops: left as it was",
    });
  }
  const gone = ours.filter((name) => isFile(o.files[name] as ObservedFile));
  const files: UnitFile[] = gone.map((name) => {
    const f = o.files[name] as ObservedFile;
    return { path: f.obs.abs, content: null, prev: f.content };
  });
  if (!files.length && !enabled) return null;
  return change({
    steps: [
      ...(enabled ? [toggle("systemd-disable", main, o)] : []),
      ...(files.length ? [{ op: "systemd-files", files, restart: [] }] : []),
    ],
    diff: gone.map((name, i) => contentDiff(fileId(name), Buffer.from(files[i]?.prev ?? ""), null)).join(""),
  });
}
