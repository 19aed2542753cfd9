import type { ExecOptions, ExecResult, Host, Stat } from "./host.js";

export interface RecordedOp {
  op: string;
  path: string;
  detail?: string;
}

/**
 * Passes reads through and records writes instead of doing them (chezmoi's
 * dryrunsystem). Resources never check a dry-run flag: they get this host.
 * Commands are recorded too, except observations (`readOnly`) and the
 * commands the caller names read-only.
 */
export class DryRunHost implements Host {
  readonly ops: RecordedOp[] = [];

  constructor(
    private readonly inner: Host,
    private readonly readOnlyCommands: ReadonlySet<string> = new Set(),
  ) {}

  get home() {
    return this.inner.home;
  }
  get env() {
    return this.inner.env;
  }

  lstat(path: string): Promise<Stat | null> {
    return this.inner.lstat(path);
  }
  readFile(path: string) {
    return this.inner.readFile(path);
  }
  readlink(path: string) {
    return this.inner.readlink(path);
  }
  readdir(path: string) {
    return this.inner.readdir(path);
  }
  realpath(path: string) {
    return this.inner.realpath(path);
  }

  private record(op: string, path: string, detail?: string) {
    this.ops.push(detail === undefined ? { op, path } : { op, path, detail });
  }

  async writeFile(path: string, data: string | Buffer, mode = 0o644) {
    this.record("write", path, `${Buffer.byteLength(data)} bytes, mode ${mode.toString(8)}`);
  }
  async createExclusive(path: string, _data: string) {
    this.record("create", path);
    return true;
  }
  async appendFile(path: string, _data: string) {
    this.record("append", path);
  }
  async sync(_path: string) {}
  async mkdir(path: string) {
    this.record("mkdir", path);
  }
  async symlink(target: string, path: string) {
    this.record("symlink", path, target);
  }
  async rename(from: string, to: string) {
    this.record("rename", from, to);
  }
  async chmod(path: string, mode: number) {
    this.record("chmod", path, mode.toString(8));
  }
  async unlink(path: string) {
    this.record("unlink", path);
  }
  async rmdir(path: string) {
    this.record("rmdir", path);
    return true;
  }
  async removeTree(path: string) {
    this.record("remove", path);
  }
  async exec(cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    if (opts?.readOnly || this.readOnlyCommands.has(cmd)) return this.inner.exec(cmd, args, opts);
    this.record("exec", cmd, args.join(" "));
    return { exitCode: 0, stdout: "", stderr: "", timedOut: false };
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
