import type { Change } from "../resources/change.js";
import type { Step } from "../resources/step.js";

/** Times named pipeline phases for meta.json (Flux-style: each step measured). */
export class PhaseTimer {
  readonly phases: Record<string, number> = {};

  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  /** Times a synchronous part (a pure pass that may run more than once). */
  time<T>(name: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  /** A phase may run in several parts (build: store objects, then the home tree): they add up. */
  add(name: string, ms: number): void {
    this.phases[name] = Math.round(((this.phases[name] ?? 0) + ms) * 10) / 10;
  }
}

/** How long one resource's steps took in an apply (timings.json). */
export interface ResourceTiming {
  id: string;
  kind: string;
  ms: number;
}

/**
 * Times each change's steps by resource, as the journal runs them. A group of
 * steps run in one go (one `brew install a b c`) is shared evenly among its
 * steps' resources; a step of no resource (the `current` switch) counts for none.
 */
export class ResourceTimer {
  private readonly owners = new Map<Step, ResourceTiming>();
  private readonly ran = new Set<ResourceTiming>();

  constructor(changes: readonly Change[]) {
    for (const c of changes) {
      const timing = { id: c.id, kind: c.kind, ms: 0 };
      for (const s of c.steps) this.owners.set(s, timing);
    }
  }

  /** The journal ran `group` in `ms`. */
  readonly record = (group: readonly Step[], ms: number): void => {
    const share = ms / group.length;
    for (const s of group) {
      const t = this.owners.get(s);
      if (!t) continue;
      t.ms += share;
      this.ran.add(t);
    }
  };

  /** The resources whose steps ran, slowest first. */
  timings(): ResourceTiming[] {
    return [...this.ran]
      .map((t) => ({ ...t, ms: Math.round(t.ms * 10) / 10 }))
      .sort((a, b) => b.ms - a.ms || a.id.localeCompare(b.id));
  }
}
