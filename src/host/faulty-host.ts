import { UsageError } from "../errors.js";
import { type ExecOptions, type ExecResult, type Host, HostError, type Stat } from "./host.js";

/**
 * Fault injection at the Host seam, for the fault tests: the calls a spec
 * names fail with the errno error the real file system would raise (a full
 * disk, a read-only directory, another device), or crash the process there.
 * Only built from DOTOPS_FAULT (cli/context.ts), like DOTOPS_FAILPOINT.
 *
 * A spec is `op:path:action[:after=N][:times=M]`, several joined by commas:
 * - `op`: a Host method (`writeFile`, `rename`, …), several joined by `|`, or `*`;
 * - `path`: the call matches when one of its paths contains this text. For
 *   `rename` with EXDEV, when exactly one of its two paths does: the rename
 *   crosses into or out of `path`, as if another file system were mounted there;
 * - `action`: an errno code (ENOSPC, EROFS, EACCES, EXDEV, EIO, …), `kill`
 *   (SIGKILL: a crash, a power loss) or `hang` (never returns, the process
 *   stays: it holds whatever it holds until killed);
 * - `after=N`: the first N matching calls go through; `times=M`: only M fail.
 * `unlink` and `removeTree` of a missing path never fail (nothing to remove:
 * node looks first), as on a real read-only file system.
 */
export interface Fault {
  ops: Set<string> | "*";
  path: string;
  action: string;
  after: number;
  times: number;
  seen: number;
}

export function parseFaults(spec: string): Fault[] {
  return spec
    .split(",")
    .filter(Boolean)
    .map((one) => {
      const parts = one.split(":");
      const opts = { after: 0, times: Number.POSITIVE_INFINITY };
      for (let last = parts.at(-1); last && /^(after|times)=\d+$/.test(last); last = parts.at(-1)) {
        const [k, v] = last.split("=") as ["after" | "times", string];
        opts[k] = Number(v);
        parts.pop();
      }
      const [op, ...rest] = parts;
      const action = rest.pop();
      if (!op || !action || !rest.length)
        throw new UsageError(`DOTOPS_FAULT: "${one}" is not op:path:action[:after=N][:times=M]`);
      return {
        ops: op === "*" ? "*" : new Set(op.split("|")),
        path: rest.join(":"),
        action,
        ...opts,
        seen: 0,
      };
    });
}

const DESCRIPTIONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EXDEV: "cross-device link not permitted",
  EIO: "i/o error",
};

/** The system call node names in its message for each Host method. */
const SYSCALLS: Record<string, string> = {
  writeFile: "open",
  createExclusive: "open",
  appendFile: "open",
  readFile: "open",
  removeTree: "rm",
};

export class FaultyHost implements Host {
  constructor(
    private readonly inner: Host,
    private readonly faults: Fault[],
  ) {}

  get home() {
    return this.inner.home;
  }
  get env() {
    return this.inner.env;
  }

  /** Fails, crashes or hangs when a fault matches this call; returns when it goes through. */
  private async check(op: string, paths: string[]): Promise<void> {
    for (const f of this.faults) {
      if (f.ops !== "*" && !f.ops.has(op)) continue;
      const inside = paths.filter((p) => p.includes(f.path)).length;
      const crosses = op === "rename" && f.action === "EXDEV";
      if (crosses ? inside !== 1 : inside === 0) continue;
      f.seen++;
      if (f.seen <= f.after || f.seen > f.after + f.times) continue;
      if (f.action === "kill") process.kill(process.pid, "SIGKILL");
      if (f.action === "hang") {
        setInterval(() => {}, 1 << 30); // keeps the process alive with the call unanswered
        await new Promise(() => {});
      }
      const syscall = SYSCALLS[op] ?? op;
      const where = paths.map((p) => `'${p}'`).join(" -> ");
      const text = `${f.action}: ${DESCRIPTIONS[f.action] ?? "injected fault"}, ${syscall} ${where}`;
      throw new HostError(text, f.action, paths[0] as string);
    }
  }

  async lstat(path: string): Promise<Stat | null> {
    await this.check("lstat", [path]);
    return this.inner.lstat(path);
  }
  async readFile(path: string) {
    await this.check("readFile", [path]);
    return this.inner.readFile(path);
  }
  async readlink(path: string) {
    await this.check("readlink", [path]);
    return this.inner.readlink(path);
  }
  async readdir(path: string) {
    await this.check("readdir", [path]);
    return this.inner.readdir(path);
  }
  async realpath(path: string) {
    await this.check("realpath", [path]);
    return this.inner.realpath(path);
  }
  async writeFile(path: string, data: string | Buffer, mode?: number, opts?: { deferSync?: boolean }) {
    await this.check("writeFile", [path]);
    return this.inner.writeFile(path, data, mode, opts);
  }
  async sync(path: string) {
    await this.check("sync", [path]);
    return this.inner.sync(path);
  }
  async createExclusive(path: string, data: string) {
    await this.check("createExclusive", [path]);
    return this.inner.createExclusive(path, data);
  }
  async appendFile(path: string, data: string, opts?: { sync?: boolean }) {
    await this.check("appendFile", [path]);
    return this.inner.appendFile(path, data, opts);
  }
  async mkdir(path: string, mode?: number) {
    await this.check("mkdir", [path]);
    return this.inner.mkdir(path, mode);
  }
  async symlink(target: string, path: string) {
    await this.check("symlink", [path]);
    return this.inner.symlink(target, path);
  }
  async rename(from: string, to: string) {
    await this.check("rename", [from, to]);
    return this.inner.rename(from, to);
  }
  async chmod(path: string, mode: number) {
    await this.check("chmod", [path]);
    return this.inner.chmod(path, mode);
  }
  async unlink(path: string) {
    // Missing is fine, without a write: node's rm looks first, so a read-only dir does not fail it.
    if (await this.inner.lstat(path)) await this.check("unlink", [path]);
    return this.inner.unlink(path);
  }
  async rmdir(path: string) {
    await this.check("rmdir", [path]);
    return this.inner.rmdir(path);
  }
  async removeTree(path: string) {
    if (await this.inner.lstat(path)) await this.check("removeTree", [path]);
    return this.inner.removeTree(path);
  }
  exec(cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.inner.exec(cmd, args, opts);
  }
  which(cmd: string) {
    return this.inner.which(cmd);
  }
  processAlive(pid: number) {
    return this.inner.processAlive(pid);
  }
  hostname() {
    return this.inner.hostname();
  }
}
