import type { ResourceContext } from "../context.js";

/*
 * The config repo's flake travels with the generation as one store object: a
 * bundle of its `*.nix` files and `flake.lock` (JSON, base64 content), so a
 * rollback builds the flake of its own commit, and equal flakes have equal
 * objects (a revert finds its profile generation again). Before a build the
 * kind writes the bundle out once under `<state>/nix/src/<object>` and builds
 * `path:` that directory.
 */

export interface FlakeFile {
  path: string;
  data: Buffer;
  executable: boolean;
}

/** Is this a file of a flake's source that dotops carries (`*.nix`, `flake.lock`)? */
export const isFlakeFile = (path: string) => path.endsWith(".nix") || path.split("/").pop() === "flake.lock";

export function packFlake(files: FlakeFile[]): Buffer {
  const out: Record<string, { x?: true; b64: string }> = {};
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1)))
    out[f.path] = { ...(f.executable ? { x: true as const } : {}), b64: f.data.toString("base64") };
  return Buffer.from(`${JSON.stringify({ dotopsFlake: 1, files: out })}\n`);
}

/** The directory the bundle is written to; written once (its name is its content). */
export async function materializeFlake(ctx: ResourceContext, object: string): Promise<string> {
  const dir = `${ctx.state.dir}/nix/src/${object}`;
  if (await ctx.host.lstat(`${dir}.complete`)) return dir;
  const bundle = JSON.parse((await ctx.content(object)).toString("utf8")) as {
    files: Record<string, { x?: true; b64: string }>;
  };
  for (const [path, f] of Object.entries(bundle.files)) {
    if (path.split("/").includes("..")) continue;
    const abs = `${dir}/${path}`;
    await ctx.host.mkdir(abs.slice(0, abs.lastIndexOf("/")));
    await ctx.host.writeFile(abs, Buffer.from(f.b64, "base64"), f.x ? 0o755 : 0o644);
  }
  // Outside the flake dir: a `path:` flake copies all of its directory into the store.
  await ctx.host.writeFile(`${dir}.complete`, "", 0o644);
  return dir;
}
