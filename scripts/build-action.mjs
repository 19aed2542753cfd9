#!/usr/bin/env node
// Bundles the GitHub Action (action/src/index.ts, which imports the engine
// from src/) into action/dist/index.js, the file action.yml runs. The bundle
// is committed, as GitHub runs actions without installing them.
//
//   node scripts/build-action.mjs           write action/dist
//   node scripts/build-action.mjs --check   fail when action/dist differs from a fresh build
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "action/dist");
const check = process.argv.includes("--check");

const result = await build({
  absWorkingDir: root,
  // node_modules may be a symlink (a git worktree sharing the main checkout's):
  // resolve through it as node_modules/..., so the bundle is the same as CI's.
  preserveSymlinks: true,
  entryPoints: ["action/src/index.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner runs node24; node20 keeps the bundle runnable by this repo's tests and CLI floor.
  target: "node20",
  write: false,
  outfile: "action/dist/index.js",
  legalComments: "eof",
  logLevel: "warning",
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: [
      "// Built by scripts/build-action.mjs from action/src and src/: do not edit.",
      'import { createRequire as __dotopsCreateRequire } from "node:module";',
      "const require = __dotopsCreateRequire(import.meta.url);",
    ].join("\n"),
  },
});

const files = new Map([
  ["index.js", result.outputFiles[0].text],
  // The bundle is ESM wherever the action is checked out.
  ["package.json", `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`],
]);

if (check) {
  const stale = [...files].filter(([name, text]) => {
    try {
      return readFileSync(join(dist, name), "utf8") !== text;
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(
      `action/dist is out of date (${stale.map(([n]) => n).join(", ")}): run \`npm run build:action\` and commit action/dist`,
    );
    process.exit(1);
  }
  console.log("action/dist matches a fresh build");
} else {
  mkdirSync(dist, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dist, name), text);
  console.log(`wrote action/dist/index.js (${(files.get("index.js").length / 1024).toFixed(0)} KiB)`);
}
