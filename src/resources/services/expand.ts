import { expandTilde } from "../../config/tilde.js";
import type { ServiceConfig } from "./schema.js";

/**
 * launchd and systemd run programs without a shell, so nobody expands `~`:
 * dotops does, in the program's arguments and the paths, as a shell would for
 * a word that starts with it. Environment values are passed as written.
 */
export function expandHomeIn(service: ServiceConfig, home: string): ServiceConfig {
  const x = (s: string) => expandTilde(s, home);
  const opt = (s: string | undefined) => (s === undefined ? undefined : x(s));
  return {
    ...service,
    program: service.program.map(x),
    workingDirectory: opt(service.workingDirectory),
    standardOutPath: opt(service.standardOutPath),
    standardErrorPath: opt(service.standardErrorPath),
  };
}
