import { dirname } from "node:path";
import { isHostError } from "./host.js";

export interface IoProblem {
  /** What happened, naming the file and the directory it is in. */
  message: string;
  /** What the user can do about it. */
  hint: string;
}

/**
 * A file-system error that is the machine's condition, not a bug of dotops
 * (a full disk, a read-only or unwritable directory), told in the words that
 * get the user out. Null for anything else.
 */
export function ioProblem(err: unknown): IoProblem | null {
  if (!isHostError(err)) return null;
  const path = err.path;
  const dir = dirname(path);
  switch (err.code) {
    case "ENOSPC":
    case "EDQUOT":
      return {
        message: `${err.code === "ENOSPC" ? "no space left on the device" : "disk quota exceeded"} while writing ${path} (in ${dir})`,
        hint: "free some space on that file system (`dotops gc` deletes old generations and store objects no generation uses) and rerun",
      };
    case "EROFS":
      return {
        message: `cannot write ${path}: ${dir} is on a read-only file system`,
        hint: `remount ${dir} read-write, or take what the config puts there out of it, and rerun`,
      };
    case "EACCES":
    case "EPERM":
      return {
        message: `permission denied: ${path} (in ${dir}) is not accessible to this user`,
        hint: `check the owner and mode of ${dir} (ls -ld ${dir}), fix them, and rerun`,
      };
    case "EIO":
      return {
        message: `input/output error at ${path}`,
        hint: "the disk or the network file system under it failed: check it (dmesg), then rerun",
      };
    default:
      return null;
  }
}
