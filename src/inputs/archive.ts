import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { DotopsError, PolicyError } from "../errors.js";
import { fetchUrl, type InputCache } from "../git/input-cache.js";

/** Archives dotops unpacks: dotfiles' plugins and fonts are megabytes, not this. */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

const FORMATS = /\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar|zip)$/i;

/** Where the archive with this sha256 is unpacked: once, and kept like a locked commit. */
const unpackedDir = (cache: InputCache, sha256: string) => join(cache.dir, "archives", sha256);

/**
 * The directory holding the archive dotops.lock pins, unpacked: from the
 * cache, else downloaded, checked against the pinned sha256 (an archive that
 * changed at its URL is refused, not used) and unpacked.
 */
export async function lockedArchive(
  cache: InputCache,
  what: string,
  url: string,
  sha256: string,
): Promise<string> {
  const dir = unpackedDir(cache, sha256);
  if (await cache.host.lstat(dir)) return dir;
  const data = await download(cache, what, url);
  const got = sha256Of(data);
  if (got !== sha256)
    throw new PolicyError(
      `${what}: the archive at ${url} changed: its sha256 is ${got}, dotops.lock pins ${sha256}; nothing was applied`,
      `run \`dotops update ${what.replace(/^\w+ /, "")}\` to pin what it holds now, review it, and commit dotops.lock`,
    );
  return unpack(cache, what, url, data, sha256);
}

/** `dotops lock` / `update`: downloads the archive, unpacks it into the cache, and returns its sha256. */
export async function latestArchive(
  cache: InputCache,
  what: string,
  url: string,
  fallback?: string,
): Promise<string> {
  let data: Buffer;
  try {
    data = await download(cache, what, url);
  } catch (err) {
    if (!fallback || !(await cache.host.lstat(unpackedDir(cache, fallback)))) throw err;
    cache.warn(`${(err as Error).message}; kept the pinned archive ${fallback.slice(0, 12)} from the cache`);
    return fallback;
  }
  const sha = sha256Of(data);
  if (!(await cache.host.lstat(unpackedDir(cache, sha)))) await unpack(cache, what, url, data, sha);
  return sha;
}

const sha256Of = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function download(cache: InputCache, what: string, url: string): Promise<Buffer> {
  // A relative archive path is a file beside the config on this machine, not beside its origin.
  const where = /^\.\.?\//.test(url) ? resolve(cache.repoDir, url) : fetchUrl(cache, url);
  if (!/^https?:\/\//.test(where)) {
    const data = await cache.host.readFile(where).catch((err: Error) => {
      throw new DotopsError(`${what}: cannot read ${url}: ${err.message}`, 1);
    });
    return tooLarge(what, url, data.length) ?? data;
  }
  let res: Response;
  try {
    res = await fetch(where, { signal: AbortSignal.timeout(cache.timeoutMs ?? 300_000), redirect: "follow" });
  } catch (err) {
    throw new DotopsError(
      `${what}: ${url} cannot be reached (${(err as Error).cause ?? (err as Error).message})`,
      1,
      "check the URL and your network, then run again",
    );
  }
  if (!res.ok)
    throw new DotopsError(`${what}: ${url} answered ${res.status} ${res.statusText}`, 1, "check the URL");
  const length = Number(res.headers.get("content-length") ?? 0);
  tooLarge(what, url, length);
  const data = Buffer.from(await res.arrayBuffer());
  return tooLarge(what, url, data.length) ?? data;
}

function tooLarge(what: string, url: string, size: number): undefined {
  if (size > MAX_ARCHIVE_BYTES)
    throw new DotopsError(
      `${what}: ${url} is ${(size / 1024 / 1024).toFixed(0)} MiB; dotops unpacks archives of up to ${MAX_ARCHIVE_BYTES / 1024 / 1024} MiB`,
      2,
    );
  return undefined;
}

/**
 * Unpacks into a directory beside the final one, then renames it: a cache
 * entry is whole or absent. tar (GNU and BSD) refuses members that climb out
 * with `..` or an absolute path; what is unpacked is read like a work tree,
 * and links in it cannot lead out of it (resolveSourcePath).
 */
async function unpack(
  cache: InputCache,
  what: string,
  url: string,
  data: Buffer,
  sha256: string,
): Promise<string> {
  const name = new URL(url, "file:///").pathname;
  const format = FORMATS.exec(name)?.[1]?.toLowerCase();
  if (!format)
    throw new DotopsError(
      `${what}: ${url} is not an archive dotops unpacks (.tar.gz, .tgz, .tar.xz, .tar.bz2, .tar, .zip)`,
      2,
    );
  const tool = format === "zip" ? "unzip" : "tar";
  if (!(await cache.host.which(tool)))
    throw new DotopsError(
      `${what}: unpacking ${url} needs ${tool}, which is not on PATH`,
      1,
      `install ${tool}`,
    );
  const dir = unpackedDir(cache, sha256);
  const tmp = `${dir}.tmp-${process.pid}`;
  const file = `${tmp}.${format}`;
  const h = cache.host;
  await h.removeTree(tmp);
  await h.mkdir(tmp, 0o700);
  await h.writeFile(file, data, 0o600);
  try {
    const r =
      format === "zip"
        ? await h.exec("unzip", ["-q", "-o", file, "-d", tmp])
        : await h.exec("tar", ["-xf", file, "-C", tmp, "--no-same-owner"]);
    if (r.exitCode !== 0)
      throw new DotopsError(
        `${what}: cannot unpack ${url}: ${(r.stderr || r.stdout).trim().split("\n")[0]}`,
        1,
      );
    await h.rename(tmp, dir);
  } finally {
    await h.unlink(file);
    await h.removeTree(tmp);
  }
  return dir;
}
