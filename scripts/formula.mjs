#!/usr/bin/env node
// Points Formula/dotops.rb at a dotops tarball: its registry URL (from the
// tarball's own package.json version) and its sha256.
//
//   node scripts/formula.mjs [tarball] [--formula <file>] [--url <url>]
//
// Without a tarball it packs this checkout (`npm pack`, dist/ built first by
// `npm run release`), which gives the formula a provisional sha256 for a
// version not yet published. After `npm publish` the release workflow runs it
// again on the tarball the registry serves, and opens a pull request when the
// sha256 differs: the formula always ends up naming the published bytes.
// --url replaces the registry URL (CI installs a local file:// tarball with brew).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const formula = resolve(option("--formula") ?? join(root, "Formula/dotops.rb"));
const urlOverride = option("--url");

let tarball = args[0] && resolve(args[0]);
let packed;
if (!tarball) {
  packed = mkdtempSync(join(tmpdir(), "dotops-formula-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", packed], {
    cwd: root,
    encoding: "utf8",
  });
  tarball = join(packed, JSON.parse(out)[0].filename);
}

try {
  const pkg = JSON.parse(
    execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
  );
  if (pkg.name !== "dotops") throw new Error(`${tarball} holds ${pkg.name}, not dotops`);
  const sha256 = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  const url = urlOverride ?? `https://registry.npmjs.org/dotops/-/dotops-${pkg.version}.tgz`;

  const before = readFileSync(formula, "utf8");
  let after = before;
  for (const [key, value] of [
    ["url", url],
    ["sha256", sha256],
  ]) {
    // The formula's own url and sha256: the first of each, two spaces in (not a bottle's or a resource's).
    const line = new RegExp(`^  ${key} "[^"]*"$`, "m");
    if (!line.test(after)) throw new Error(`${formula} has no top-level ${key} line`);
    after = after.replace(line, `  ${key} "${value}"`);
  }
  if (after !== before) writeFileSync(formula, after);
  console.log(`${formula}: dotops ${pkg.version}, sha256 ${sha256}${after === before ? " (unchanged)" : ""}`);
} finally {
  if (packed) rmSync(packed, { recursive: true, force: true });
}
