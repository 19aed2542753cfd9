/** Times named pipeline phases for meta.json (Flux-style: each step measured). */
export class PhaseTimer {
  readonly phases: Record<string, number> = {};

  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.phases[name] = Math.round((performance.now() - t0) * 10) / 10;
    }
  }
}
