/**
 * What turns a config snapshot into a manifest: the loader (zod, YAML,
 * Liquid) and the modules. It is most of the code dotops has, so commands
 * load it when they read a config (`await import("../config/kit.js")`) and
 * those that read none (a no-op apply of a known commit, `status`, `rollback`,
 * `generations`) start without it. test/module-graph.test.ts holds the CLI's
 * static module graph to that.
 */
export { buildManifest } from "../modules/manifest.js";
export { checkAllHosts, loadConfig } from "./load.js";
export { configJsonSchema } from "./schema.js";
