import { type Change, Phase } from "../change.js";
import type { ResourceContext } from "../context.js";
import type { KindHandler } from "../kind.js";
import { expandHomeIn } from "../services/expand.js";
import { missingDirs, type ServiceFileStep } from "../services/service-file.js";
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
import { type LoadedService, printService } from "./launchctl.js";
import { launchdPlist, plistId } from "./render.js";
import type { AdoptedAgent, LaunchdAgentResource } from "./resource.js";
import { domainOf, launchdSteps } from "./steps.js";

export type { LaunchdAgentResource };

const KIND = "launchd-agent";
const ON_A_MAC = "launchd agents are macOS's: plan this host on a Mac, or put a launchctl simulator on PATH";

export type LaunchdObservation =
  | Unobservable
  | {
      file: PathObservation;
      /** The plist's text, when a regular file (or a link to one) is there. */
      content: string | null;
      /** Loaded in the user's GUI domain, and from where. */
      loaded: LoadedService | null;
    };

/** The plist this agent has on this machine (`~` expanded to its HOME). */
export const agentPlist = (ctx: ResourceContext, r: LaunchdAgentResource) =>
  launchdPlist(expandHomeIn(r.service, ctx.host.home));

/**
 * A user's launchd agent: a plist written as a real file in
 * ~/Library/LaunchAgents, loaded with `launchctl bootstrap gui/<uid>`. It is
 * re-bootstrapped only when its plist changes (bootout, write, bootstrap), and
 * a plist edited outside dotops or a service unloaded since is drift the plan
 * repairs. Removal unloads first (Phase.stopServices), then deletes the file.
 */
export const launchdAgentKind: KindHandler<LaunchdAgentResource, LaunchdObservation> = {
  kind: KIND,
  steps: launchdSteps,
  describe: (r) => `launchd agent ${r.service.label}`,
  async observe(ctx, r) {
    const missing =
      (await missingTool(ctx, "launchctl", ON_A_MAC)) ??
      (await missingTool(ctx, "id", "launchd agents load into gui/<uid>; install coreutils"));
    if (missing) return missing;
    const file = await observeHomePath(ctx, plistId(r.service.label));
    if (file.unsafe) return { file, content: null, loaded: null };
    const content = (await contentAt(ctx, file))?.toString("utf8") ?? null;
    const loaded = await printService(ctx.host, await domainOf(ctx), r.service.label);
    return { file, content, loaded };
  },
  assume(ctx, previous, id) {
    const label = id.slice("launchd/".length);
    const abs = absHome(ctx, plistId(label));
    if (previous?.kind !== KIND)
      return { file: { abs, stat: null, assumed: true }, content: null, loaded: null };
    return {
      file: { abs, stat: { type: "file", mode: 0o644, size: 0, mtimeMs: 0 }, assumed: true },
      content: agentPlist(ctx, previous as LaunchdAgentResource),
      loaded: { path: abs, state: null },
    };
  },
  async plan(ctx, desired, previous, o): Promise<Change | null> {
    const r = (desired ?? previous) as LaunchdAgentResource;
    if (isUnobservable(o)) return unobservableChange(KIND, r.id, desired, previous, o);
    if (o.file.unsafe) return unsafeChange(KIND, r.id, desired !== undefined, o.file.unsafe);
    return desired ? place(ctx, desired, previous, o) : remove(ctx, previous as LaunchdAgentResource, o);
  },
};

type Observed = Exclude<LaunchdObservation, Unobservable>;

function base(r: LaunchdAgentResource, action: Change["action"], phase: number) {
  return { kind: KIND, id: r.id, action, phase, destructive: false, needsRoot: false };
}

const bootout = (label: string, plist: string): Step => ({ op: "launchd-bootout", label, plist });
const bootstrap = (label: string, plist: string): Step => ({ op: "launchd-bootstrap", label, plist });

async function place(
  ctx: ResourceContext,
  desired: LaunchdAgentResource,
  previous: LaunchdAgentResource | undefined,
  o: Observed,
): Promise<Change | null> {
  const { label } = desired.service;
  const path = o.file.abs;
  const want = agentPlist(ctx, desired);
  const change = (c: Partial<Change> & Pick<Change, "steps">): Change => ({
    ...base(desired, previous ? "update" : "create", Phase.services),
    ...c,
  });
  const elsewhere = o.loaded && o.loaded.path !== null && o.loaded.path !== path ? o.loaded.path : null;
  if (elsewhere && !previous)
    return change({
      steps: [],
      refusal: `${label} is already loaded from ${elsewhere}, which dotops does not manage; unload it (launchctl bootout gui/$(id -u)/${label}) or choose another label`,
    });
  // Drift of the load state only: an unloaded service (or one loaded from another plist) is loaded from ours.
  const reload = [...(o.loaded ? [bootout(label, o.loaded.path ?? path)] : []), bootstrap(label, path)];

  if (o.file.stat?.type === "file" && o.content === want) {
    if (previous) {
      if (o.loaded && !elsewhere) return null;
      return change({
        steps: reload,
        note: o.loaded ? `loaded from ${elsewhere}: loads its own plist` : "not loaded: loads it again",
      });
    }
    // The user's own agent, byte for byte what the config says: adopted, and left as it was when unmanaged.
    const owns: AdoptedAgent = { prior: { plist: o.content, loaded: o.loaded !== null } };
    return change({
      steps: o.loaded ? [] : reload,
      owns,
      note: `already there with this content: adopted${o.loaded ? "" : " and loaded"}`,
    });
  }

  const diff = contentDiff(
    plistId(label),
    o.content === null ? null : Buffer.from(o.content),
    Buffer.from(want),
  );
  const write = async (prev: string | null): Promise<ServiceFileStep> => ({
    op: "service-file",
    path,
    content: want,
    prev,
    ...(o.file.stat ? {} : { mkdirs: await missingDirs(ctx, path) }),
  });
  const around = (steps: Step[]) => [
    ...(o.loaded ? [bootout(label, o.loaded.path ?? path)] : []),
    ...steps,
    bootstrap(label, path),
  ];
  if (!o.file.stat) return change({ steps: around([await write(null)]), diff });
  if (previous && o.file.stat.type === "file") {
    const edited = o.content !== agentPlist(ctx, previous);
    return change({
      steps: around([await write(o.content)]),
      diff,
      note: edited ? "plist edited outside dotops: rewritten from the config and reloaded" : undefined,
    });
  }
  if (o.file.stat.type === "symlink" && o.content === want)
    return change({
      steps: around([{ op: "unlink-link", path, target: o.file.linkTarget as string }, await write(null)]),
      note: "replaces a link to identical content with a real file (launchd does not follow linked plists reliably)",
    });
  const way = await clearTheWay(ctx, plistId(label), o.file);
  return change({
    steps: way.refusal ? [] : around([...way.steps, await write(null)]),
    diff,
    note: way.note,
    refusal: way.refusal,
  });
}

async function remove(
  ctx: ResourceContext,
  previous: LaunchdAgentResource,
  o: Observed,
): Promise<Change | null> {
  const { label } = previous.service;
  const path = o.file.abs;
  const change = (c: Partial<Change> & Pick<Change, "steps">): Change => ({
    ...base(previous, "delete", Phase.stopServices),
    ...c,
  });
  const unload = o.loaded ? [bootout(label, o.loaded.path ?? path)] : [];
  const adopted = ctx.ownership?.get(previous.id) as AdoptedAgent | undefined;
  if (adopted?.prior) {
    // It was the user's before dotops: put back that plist and that load state, nothing more.
    const { plist, loaded } = adopted.prior;
    const sameFile = o.file.stat?.type === "file" && o.content === plist;
    if (sameFile && loaded === (o.loaded !== null))
      return change({ steps: [], note: "was there before dotops: left as it was" });
    const steps: Step[] = [];
    if (!sameFile) {
      steps.push(...unload, { op: "service-file", path, content: plist, prev: o.content });
      if (loaded) steps.push(bootstrap(label, path));
    } else steps.push(...(loaded ? [bootstrap(label, path)] : unload));
    return change({
      steps,
      note: "was there before dotops: restored as it was",
    });
  }
  if (o.file.stat?.type !== "file") {
    if (!o.loaded) return null;
    return change({ steps: unload });
  }
  const edited = o.content !== agentPlist(ctx, previous);
  return change({
    steps: [...unload, { op: "service-file", path, content: null, prev: o.content }],
    diff: contentDiff(plistId(label), Buffer.from(o.content ?? ""), null),
    note: edited
      ? "its plist was edited outside dotops: removed all the same (undo puts the edited one back)"
      : undefined,
  });
}
