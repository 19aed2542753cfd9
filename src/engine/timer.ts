/** Times named pipeline phases for meta.json (Flux-style: each step measured). */
export class PhaseTimer {
  readonly phases: Record<string, number> = {};

  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      // A phase may run in several parts (build: store objects, then the home tree): they add up.
      this.phases[name] = Math.round(((this.phases[name] ?? 0) + performance.now() - t0) * 10) / 10;
    }
  }
}
