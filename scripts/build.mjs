#!/usr/bin/env node
// Builds the CLI: src/cli/main.ts and everything it imports, dependencies
// included, into dist/cli/main.js plus one chunk per lazily loaded part
// (dist/cli/chunks/). Loading ~480 modules one by one (resolve, read, link)
// was most of a small command's time; a few files load in one go. The
// commands and the long-running agent still load only what they use: a
// dynamic import() stays a chunk of its own. Type checking is `tsc --noEmit`.
// As the bundle holds its dependencies, package.json's `dependencies` lists
// only what it resolves from node_modules at run time (uPlot's files, which
// `perf --html` inlines); the rest are devDependencies, so `npm i -g dotops`
// installs no second copy (whose engines and overrides would differ).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist/cli");
rmSync(out, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  // node_modules may be a symlink (a git worktree sharing the main checkout's).
  preserveSymlinks: true,
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: "dist/cli",
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  // Less text to read and compile at each start; names stay for stack traces (and the source maps).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: [
      'import { createRequire as __dotopsCreateRequire } from "node:module";',
      "const require = __dotopsCreateRequire(import.meta.url);",
    ].join("\n"),
  },
});
// Which source modules each output file holds: the agent's test reads it to
// prove the resident agent loads no engine.
writeFileSync(join(out, "meta.json"), `${JSON.stringify(result.metafile)}\n`);
