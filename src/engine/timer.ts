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
