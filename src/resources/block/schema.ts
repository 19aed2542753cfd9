import { z } from "zod";

/** The keys a `home/files.yaml` entry takes for `mode: block` (spread into the file entry's schema). */
export const BlockEntryShape = {
  content: z
    .string()
    .optional()
    .describe(
      'mode block: the text dotops keeps between "# >>> dotops >>>" and "# <<< dotops <<<" in the target, a file you otherwise own.',
    ),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . and - only")
    .optional()
    .describe(
      'mode block: the block\'s name, for several blocks in one file (markers "# >>> dotops:<name> >>>"). Default: dotops.',
    ),
  comment: z
    .string()
    .optional()
    .describe(
      'mode block: how a comment starts in the target (e.g. "--", "//"), when its name or extension does not tell (default "#").',
    ),
  line: z
    .boolean()
    .optional()
    .describe(
      'mode block: keep content as one line marked by a trailing comment ("source x # dotops") instead of between marker lines.',
    ),
  create: z
    .boolean()
    .optional()
    .meta({ default: true })
    .describe(
      "mode block: create the target when it is missing (default true); false: only a file that exists gets the block.",
    ),
};
