import { type Host, HostError, isHostError } from "./host.js";

/*
 * Moving a file or a tree between HOME and the state dir (a destructive
 * step's trash), which may be on different file systems: the state dir on
 * another disk, a tmpfs, a synced folder. rename(2) cannot cross them
 * (EXDEV), so the move becomes a copy, made so that a crash anywhere in it
 * loses nothing and can be settled from the names alone:
 *   1. `from` is renamed aside, on its own file system (`<from>.dotops-moving`):
 *      its place is free at once, and the original stays whole;
 *   2. it is copied to `<to>.dotops-partial` (each file fsynced by writeFile);
 *   3. that is renamed to `to`: the copy appears whole or not at all;
 *   4. the original set aside is removed.
 */

const aside = (from: string) => `${from}.dotops-moving`;
const partial = (to: string) => `${to}.dotops-partial`;

export async function move(host: Host, from: string, to: string): Promise<void> {
  try {
    await host.rename(from, to);
    return;
  } catch (err) {
    if (!isHostError(err, "EXDEV")) throw err;
  }
  await host.rename(from, aside(from));
  await host.removeTree(partial(to));
  await copyTree(host, aside(from), partial(to));
  await host.rename(partial(to), to);
  await host.removeTree(aside(from));
}

/**
 * Ends a move from `from` to `to` that a crash cut short: before step 3 it
 * is reverted (the original goes back), after it finished (the copy is whole).
 * A move that was not cut short leaves nothing to settle.
 */
export async function settleMove(host: Host, from: string, to: string): Promise<void> {
  if (!(await host.lstat(aside(from)))) return;
  if (await host.lstat(to)) {
    await host.removeTree(aside(from));
    return;
  }
  await host.removeTree(partial(to));
  if (!(await host.lstat(from))) await host.rename(aside(from), from);
}

async function copyTree(host: Host, src: string, dst: string): Promise<void> {
  const st = await host.lstat(src);
  if (!st) return;
  if (st.type === "dir") {
    await host.mkdir(dst, 0o700); // writable while it is filled; its own mode last
    for (const name of await host.readdir(src)) await copyTree(host, `${src}/${name}`, `${dst}/${name}`);
    await host.chmod(dst, st.mode);
  } else if (st.type === "file") await host.writeFile(dst, await host.readFile(src), st.mode);
  else if (st.type === "symlink") await host.symlink(await host.readlink(src), dst);
  else
    throw new HostError(
      `EXDEV: ${src} is not a file, a directory or a link, so it cannot be copied to another file system`,
      "EXDEV",
      src,
    );
}
