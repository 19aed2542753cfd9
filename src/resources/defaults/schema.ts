import { z } from "zod";
import { PLIST_TYPES } from "../../format/plist.js";

/**
 * `defaults:` in system/*.yaml (nix-darwin's `system.defaults`): domain → key
 * → value. YAML scalars map to plist types (bool, int, float, string); lists
 * and maps to arrays and dicts; `{ type, value }` says the type outright (date,
 * data, a float written as 2.0, a string that looks like a number).
 */
export const TypedValueSchema = z.strictObject({
  type: z
    .enum(PLIST_TYPES)
    .describe(
      "The plist type `defaults write` is given (-bool, -int, -float, -string, -date, -data, -array, -dict).",
    ),
  value: z.unknown().describe("The value: date as ISO 8601, data as hex (like `defaults write -data`)."),
});

export const DefaultsValueSchema: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.boolean(),
      z.number(),
      z.string(),
      TypedValueSchema,
      z.array(DefaultsValueSchema),
      z.record(z.string(), DefaultsValueSchema),
    ]),
  )
  .meta({
    id: "DefaultsValue",
    description:
      "A defaults value: true/false → bool, an integer → int, another number → float, a string → string, a list → array, a map → dict; { type, value } names the type (date, data, a float written 2.0, a number kept as a string). Read back after writing.",
  });

export const DefaultsSchema = z
  .record(
    z.string().min(1).meta({ title: "domain" }),
    z.record(z.string().min(1).meta({ title: "key" }), DefaultsValueSchema),
  )
  .describe(
    "macOS defaults, domain → key → value (`defaults write`): NSGlobalDomain, com.apple.dock, … A domain that is a path under /Library/Preferences is system-wide and is written as root.",
  );

export const RestartOnChangeSchema = z
  .record(z.string(), z.string().regex(/^[\w .-]+$/, "a process name for killall, e.g. Dock"))
  .describe(
    "domain → process to restart (`killall <name>`) when a key of that domain changed in an apply, e.g. { com.apple.dock: Dock }.",
  );
