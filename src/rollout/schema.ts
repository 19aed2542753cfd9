import { z } from "zod";
import { DURATION_HINT, DURATION_PATTERN } from "../config/duration.js";

/** `rollout:` in dotops.yaml: commits reach the machines wave by wave, gated on GitHub commit statuses. */
export const RolloutSchema = z
  .strictObject({
    waves: z
      .array(z.array(z.string().min(1)).min(1))
      .min(1)
      .optional()
      .describe(
        "Ordered waves of host names: `[[work-mac-canary], [laptop, devbox]]` is wave 1 then wave 2. A host may say `wave: N` under hosts instead. A host in no wave is in the last wave, after every listed one.",
      ),
    minSuccess: z
      .union([
        z.literal("all"),
        z.number().int().min(1),
        z.string().regex(/^(100|[1-9]\d?)%$/, 'a percentage like "50%"'),
      ])
      .optional()
      .describe(
        'How many hosts of each earlier wave must report success for a commit before a later wave applies it: "all" (default), a number (at most the wave\'s size), or a percentage of the wave ("50%", rounded up). Hosts that have not reported (a laptop that is off) count as not yet successful.',
      ),
    bake: z
      .string()
      .regex(DURATION_PATTERN, DURATION_HINT)
      .optional()
      .describe(
        'How long the previous wave must have been green (minSuccess of its hosts reported success) before the next wave starts, e.g. "30m". Default 0s.',
      ),
    onFailure: z
      .enum(["halt", "continue"])
      .optional()
      .describe(
        "halt (default): a host of an earlier wave that failed, rolled back, was refused or halted stops the rollout of that commit; later waves stay on their generation and say why, and a newer commit starts a new rollout. continue: a failure only counts as not successful (minSuccess decides).",
      ),
  })
  .describe(
    "Staged rollout: an agent in wave N applies a new commit only when the hosts of the earlier waves report success for it (their `dotops/<host>` commit statuses, one GitHub call) and the previous wave has baked. Needs agent.github on every host (the earlier waves report, the later ones read). Without rollout every host applies every commit at once.",
  );

export type RolloutConfig = z.infer<typeof RolloutSchema>;
