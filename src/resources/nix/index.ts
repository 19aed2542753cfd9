export { nixDarwinKind, nixHomeManagerKind } from "./delegate.js";
export { nixProfileKind } from "./profile.js";
export { nixSystemConfKind } from "./system-conf.js";
