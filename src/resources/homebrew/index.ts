export { brewKind } from "./brew.js";
export { caskKind } from "./cask.js";
export { brewCleanupKind } from "./cleanup.js";
export { masKind } from "./mas.js";
export { tapKind } from "./tap.js";
