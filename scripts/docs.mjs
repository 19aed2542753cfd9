#!/usr/bin/env node
// Regenerates the reference pages from their one source each (src/cli/reference-docs.ts):
// docs/reference/configuration.md from the config's zod schema, docs/reference/commands.md
// from the commander program. `npm run docs -- --check` writes nothing and fails (exit 1)
// when a committed page is stale; test/reference-docs.test.ts checks the same in `npm test`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check");
// Inside the repo: dotops finds its package.json (its version) above its own module.
mkdirSync(join(root, "node_modules/.cache"), { recursive: true });
const tmp = mkdtempSync(join(root, "node_modules/.cache/dotops-docs-"));
try {
  const out = join(tmp, "reference.mjs");
  await build({
    absWorkingDir: root,
    preserveSymlinks: true,
    entryPoints: ["src/cli/reference-docs.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: out,
    logLevel: "warning",
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins (as in build.mjs).
    banner: {
      js: 'import { createRequire as __dotopsCreateRequire } from "node:module"; const require = __dotopsCreateRequire(import.meta.url);',
    },
  });
  const ref = await import(pathToFileURL(out).href);
  const stale = [];
  for (const [file, generate] of Object.entries(ref.REFERENCE_FILES)) {
    const text = generate();
    const abs = join(root, file);
    let current = null;
    try {
      current = readFileSync(abs, "utf8");
    } catch {}
    if (current === text) continue;
    if (check) stale.push(file);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      console.log(`wrote ${file}`);
    }
  }
  const undocumented = ref.undocumentedOptions();
  if (undocumented.length)
    console.warn(`options without a description in the schema: ${undocumented.join(", ")}`);
  if (stale.length) {
    console.error(`stale: ${stale.join(", ")}: run npm run docs`);
    process.exitCode = 1;
  } else if (check) console.log("reference docs are up to date");
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
