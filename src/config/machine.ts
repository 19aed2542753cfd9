import type { OnDemand } from "./source.js";
import type { TemplateFunctions } from "./template.js";

/** How a MachineFacts store reads the machine (the CLI gives it its Host's). */
export interface MachineReader {
  env(name: string): string | undefined;
  hostname(): string;
  /** Where `cmd` is on PATH, or null. */
  which(cmd: string): Promise<string | null>;
  /** Runs `cmd args` without a shell, read-only (a dry run runs it too). */
  run(cmd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

type Answer = { value: string | null } | { error: string };

/**
 * The facts of this machine that templates ask for (`lookPath`, `output`),
 * handed to the pure pass the way a SecretStore hands it `!secret` files: an
 * answer known already is given at once (env, hostname); one not read yet is
 * recorded as wanted and stands as its placeholder, `fetch` reads what is
 * wanted, and withContent runs the pass again. Each question is asked once
 * per command.
 */
export class MachineFacts implements OnDemand {
  readonly wanted = new Set<string>();
  /** Some answer was asked for: a config built with it is not a function of its commit alone. */
  consulted = false;
  readonly #read: MachineReader;
  readonly #answers = new Map<string, Answer>();

  constructor(read: MachineReader) {
    this.#read = read;
  }

  readonly functions: TemplateFunctions = {
    env: (name) => this.#told(this.#read.env(name) ?? null),
    hostname: () => this.#told(this.#read.hostname()),
    lookPath: (name) => this.#ask(["lookPath", name], `«lookPath ${name}»`),
    output: (cmd, args) => this.#ask(["output", cmd, ...args], `«output ${[cmd, ...args].join(" ")}»`) ?? "",
  };

  #told<T>(answer: T): T {
    this.consulted = true;
    return answer;
  }

  #ask(question: string[], placeholder: string): string | null {
    this.consulted = true;
    const key = JSON.stringify(question);
    const answer = this.#answers.get(key);
    if (!answer) {
      this.wanted.add(key);
      return placeholder;
    }
    if ("error" in answer) throw new Error(answer.error);
    return answer.value;
  }

  async fetch(): Promise<void> {
    for (const key of this.wanted) {
      const [what, cmd = "", ...args] = JSON.parse(key) as string[];
      this.#answers.set(
        key,
        what === "lookPath" ? { value: await this.#read.which(cmd) } : await this.#output(cmd, args),
      );
    }
    this.wanted.clear();
  }

  async #output(cmd: string, args: string[]): Promise<Answer> {
    const shown = [cmd, ...args].join(" ");
    try {
      const r = await this.#read.run(cmd, args);
      if (r.exitCode === 0) return { value: r.stdout.replace(/\n+$/, "") };
      const why = r.stderr.trim().split("\n")[0];
      return { error: `output of \`${shown}\`: it exited ${r.exitCode}${why ? ` (${why})` : ""}` };
    } catch (err) {
      return { error: `output of \`${shown}\`: ${(err as Error).message}` };
    }
  }

  /** Load options go into memo keys and logs: the machine's answers are not part of them. */
  toJSON(): undefined {
    return undefined;
  }
}

/** Several on-demand sources as one, for withContent: what each wants, fetched together. */
export function allOnDemand(...sources: (OnDemand | undefined)[]): OnDemand {
  const present = sources.filter((s): s is OnDemand => s !== undefined);
  return {
    get wanted() {
      return new Set(present.flatMap((s) => [...(s.wanted ?? [])]));
    },
    async fetch() {
      for (const s of present) if (s.wanted?.size) await s.fetch?.();
    },
  };
}
