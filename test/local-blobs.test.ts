import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withContent } from "../src/config/source.js";
import { commitSource } from "../src/git/source.js";
import { gitBlobId } from "../src/modules/objects.js";
import { ConfigRepo, dotops, git, minimalConfig, sandbox } from "./helpers.js";

/*
 * Blobs read from the store's copies instead of Git (src/engine/blob-index.ts):
 * used only when the bytes hash to the blob's id.
 */

/** Reads every file of the commit, as a config pass would. */
async function readAll(repo: ConfigRepo, local?: (oid: string) => Promise<Buffer | undefined>) {
  const src = await commitSource(repo.dir, "HEAD", { local });
  const paths = [...src.files.keys()];
  return withContent(src, () => new Map(paths.map((p) => [p, src.files.get(p)?.data?.toString("utf8")])));
}

describe("a commit's blobs", () => {
  it("come from a local copy whose bytes hash to the blob's id, even when Git no longer has the blob", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const bytes = Buffer.from("export EDITOR=nvim\n");
    const oid = gitBlobId(bytes);
    expect(oid).toBe(await git(repo.dir, "rev-parse", "HEAD:files/zshrc"));
    rmSync(join(repo.dir, ".git/objects", oid.slice(0, 2), oid.slice(2)));
    await expect(readAll(repo)).rejects.toThrow(/files\/zshrc is missing from the repository's objects/);
    const read = await readAll(repo, async (o) => (o === oid ? bytes : undefined));
    expect(read.get("files/zshrc")).toBe("export EDITOR=nvim\n");
  });

  it("come from Git when the local copy was changed (bytes written through a link)", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const read = await readAll(repo, async () => Buffer.from("export EDITOR=ed\n"));
    expect(read.get("files/zshrc")).toBe("export EDITOR=nvim\n");
  });

  it("are recorded by each generation and used by the next apply", async () => {
    const repo = await ConfigRepo.create(minimalConfig());
    const { home, state } = sandbox();
    expect((await dotops(["--repo", repo.dir, "apply"], { home })).exitCode).toBe(0);
    const index = JSON.parse(readFileSync(join(state, "current/git-blobs.json"), "utf8"));
    const zshrc = await git(repo.dir, "rev-parse", "HEAD:files/zshrc");
    expect(readFileSync(join(state, "store", index[zshrc]), "utf8")).toBe("export EDITOR=nvim\n");
    // Git loses the unchanged blob: the next apply still builds, from the store's copy.
    await repo.commit({ "files/app.conf": "color = false\n" });
    rmSync(join(repo.dir, ".git/objects", zshrc.slice(0, 2), zshrc.slice(2)));
    const r = await dotops(["--repo", repo.dir, "apply"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, ".config/app/conf"), "utf8")).toBe("color = false\n");
    expect(readFileSync(join(home, ".zshrc"), "utf8")).toBe("export EDITOR=nvim\n");
  });
});
