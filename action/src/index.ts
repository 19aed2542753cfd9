/** The action's entry (actions/typescript-action's src/index.ts): run, and let `run` own failure. */
import { run } from "./main.js";

await run();
