import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fsSync from "node:fs";
import * as fs from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { type ExecOptions, type ExecResult, type Host, HostError, type Stat } from "./host.js";

/** Wraps node's errors in HostError so callers can match on `code` without importing fs. */
async function wrap<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === "string")
      throw new HostError(e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`, e.code, path);
    throw err;
  }
}

function toStat(s: import("node:fs").Stats): Stat {
  const type = s.isSymbolicLink() ? "symlink" : s.isDirectory() ? "dir" : s.isFile() ? "file" : "other";
  return { type, mode: s.mode & 0o7777, size: s.size, mtimeMs: s.mtimeMs, uid: s.uid };
}

/**
 * The machine itself. Calls that only touch metadata (lstat, readlink, symlink,
 * rename, …) and small reads run synchronously inside the async methods: each
 * takes microseconds, and handed to libuv's thread pool a plan of 1,000 links
 * paid more for the hand-offs than for the calls (strace: 9,500 futex calls for
 * 3,800 file-system calls). Writes that fsync stay on the pool, where they overlap.
 */
export class RealHost implements Host {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;

  constructor(opts: { home: string; env?: Record<string, string | undefined> }) {
    this.home = opts.home;
    this.env = { ...(opts.env ?? process.env), HOME: opts.home };
  }

  /** Maps a path as the engine sees it to the real file system (identity here; SandboxHost re-roots). */
  protected p(path: string): string {
    return path;
  }

  async lstat(path: string): Promise<Stat | null> {
    try {
      return toStat(fsSync.lstatSync(this.p(path)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Nothing can be there: missing, a parent is not a directory, or a parent is a symlink loop.
      if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return null;
      throw new HostError(String(err), code ?? "EIO", path);
    }
  }

  readFile(path: string) {
    return wrap(path, async () => fsSync.readFileSync(this.p(path)));
  }
  readlink(path: string) {
    return wrap(path, async () => fsSync.readlinkSync(this.p(path)));
  }
  readdir(path: string) {
    return wrap(path, async () => fsSync.readdirSync(this.p(path)).sort());
  }
  realpath(path: string) {
    return wrap(path, async () => fsSync.realpathSync(this.p(path)));
  }

  /** Files written with `deferSync` since the last `sync`: what it flushes where there is no syncfs. */
  private readonly deferred = new Set<string>();

  async writeFile(
    path: string,
    data: string | Buffer,
    mode = 0o644,
    opts: { deferSync?: boolean } = {},
  ): Promise<void> {
    const real = this.p(path);
    const tmp = `${real}.dotops-tmp-${randomBytes(4).toString("hex")}`;
    await wrap(path, async () => {
      const fd = fsSync.openSync(tmp, "wx", mode);
      try {
        fsSync.writeFileSync(fd, data);
        if (!opts.deferSync) fsSync.fsyncSync(fd);
      } finally {
        fsSync.closeSync(fd);
      }
      fsSync.chmodSync(tmp, mode);
      fsSync.renameSync(tmp, real);
    }).catch(async (err) => {
      fsSync.rmSync(tmp, { force: true });
      throw err;
    });
    if (opts.deferSync) this.deferred.add(real);
  }

  /**
   * One syncfs(2) of the file system holding `path` (`sync -f`, Linux), which
   * also covers the directories and links written; elsewhere, or if it fails,
   * an fsync of each deferred file, as writing them durable would have done.
   */
  async sync(path: string): Promise<void> {
    const files = [...this.deferred];
    this.deferred.clear();
    if (!files.length) return;
    if (
      process.platform === "linux" &&
      spawnSync("sync", ["-f", this.p(path)], { stdio: "ignore" }).status === 0
    )
      return;
    for (const file of files)
      await wrap(file, async () => {
        let fd: number;
        try {
          fd = fsSync.openSync(file, "r");
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // replaced or removed since: nothing to flush
          throw err;
        }
        try {
          fsSync.fsyncSync(fd);
        } finally {
          fsSync.closeSync(fd);
        }
      });
  }

  async createExclusive(path: string, data: string): Promise<boolean> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.p(path), "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      return wrap(path, () => Promise.reject(err));
    }
    // Created but not written (a full disk): an empty file would look like a lock
    // whose owner is about to write its pid, and block everyone for seconds.
    await wrap(path, async () => {
      try {
        await fh.writeFile(data);
      } finally {
        await fh.close();
      }
    }).catch(async (err) => {
      await fs.rm(this.p(path), { force: true });
      throw err;
    });
    return true;
  }

  appendFile(path: string, data: string, opts: { sync?: boolean } = {}) {
    return wrap(path, async () => {
      const fd = fsSync.openSync(this.p(path), "a", 0o600);
      try {
        fsSync.appendFileSync(fd, data);
        if (opts.sync) fsSync.fsyncSync(fd);
      } finally {
        fsSync.closeSync(fd);
      }
    });
  }

  mkdir(path: string, mode = 0o755) {
    const real = this.p(path);
    return wrap(path, async () => {
      try {
        fsSync.mkdirSync(real, { recursive: true, mode });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        // Node's recursive mkdir reports an error it does not expect (EROFS: a read-only
        // file system) as ENOENT; a plain mkdir of the first missing directory tells the truth.
        let first = real;
        while (!fsSync.lstatSync(dirname(first), { throwIfNoEntry: false })) {
          if (dirname(first) === first) throw err;
          first = dirname(first);
        }
        fsSync.mkdirSync(first, { mode });
        fsSync.mkdirSync(real, { recursive: true, mode });
      }
    });
  }
  symlink(target: string, path: string) {
    return wrap(path, async () => fsSync.symlinkSync(target, this.p(path)));
  }
  rename(from: string, to: string) {
    return wrap(from, async () => fsSync.renameSync(this.p(from), this.p(to)));
  }
  chmod(path: string, mode: number) {
    return wrap(path, async () => fsSync.chmodSync(this.p(path), mode));
  }
  async unlink(path: string) {
    await wrap(path, async () => fsSync.rmSync(this.p(path), { force: true }));
  }
  async rmdir(path: string): Promise<boolean> {
    try {
      fsSync.rmdirSync(this.p(path));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a parent is a file (or the path is one): no directory there, as lstat reads it.
      // Recovery undoes never-started mkdirs under what is still a file; that must not fail.
      if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOENT" || code === "ENOTDIR") return false;
      throw new HostError(String(err), code ?? "EIO", path);
    }
  }
  removeTree(path: string) {
    return wrap(path, () => fs.rm(this.p(path), { recursive: true, force: true }));
  }

  async exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const { execa } = await import("execa"); // loaded on first use: most commands run no program
    const sub = execa(cmd, args, {
      cwd: opts.cwd === undefined ? undefined : this.p(opts.cwd),
      env: { ...this.env, ...opts.env },
      extendEnv: false,
      input: opts.input,
      timeout: opts.timeoutMs,
      reject: false, // a non-zero exit is an answer; callers decide what it means
      stripFinalNewline: false,
    });
    if (opts.onLine) {
      const onLine = opts.onLine;
      for (const stream of ["stdout", "stderr"] as const) {
        let rest = "";
        sub[stream]?.on("data", (chunk: Buffer) => {
          const lines = (rest + chunk.toString("utf8")).split("\n");
          rest = lines.pop() ?? "";
          for (const l of lines) onLine(l, stream);
        });
        sub[stream]?.on("end", () => rest && onLine(rest, stream));
      }
    }
    const r = await sub;
    if (r.failed && r.exitCode === undefined && !r.timedOut) {
      throw new HostError(
        `cannot run ${cmd}: ${r.shortMessage}`,
        (r as { code?: string }).code ?? "ENOENT",
        cmd,
      );
    }
    return {
      exitCode: r.exitCode ?? 1,
      stdout: String(r.stdout),
      stderr: String(r.stderr),
      timedOut: r.timedOut,
    };
  }

  async which(cmd: string): Promise<string | null> {
    if (cmd.includes("/")) return cmd;
    for (const dir of (this.env.PATH ?? "").split(":")) {
      if (!dir) continue;
      try {
        await fs.access(`${dir}/${cmd}`, fs.constants.X_OK);
        if ((await fs.stat(`${dir}/${cmd}`)).isFile()) return `${dir}/${cmd}`;
      } catch {
        // not here
      }
    }
    return null;
  }

  processAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }

  hostname(): string {
    return hostname();
  }
}
