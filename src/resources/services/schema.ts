import { z } from "zod";

/** `services:` in home/services.yaml: launchd agents on darwin, systemd user units on linux (Home Manager's launchd.agents / systemd.user.services). */
export const ServiceSchema = z
  .strictObject({
    label: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, "a reverse-DNS label such as com.alice.sync")
      .describe("launchd Label (the unit is named <label>.service on linux)."),
    program: z
      .array(z.string())
      .min(1)
      .describe(
        "Command and arguments (ProgramArguments / ExecStart), no shell; a leading ~ is expanded to HOME.",
      ),
    runAtLoad: z
      .boolean()
      .optional()
      .describe("Start when loaded (RunAtLoad; on linux the unit is started by enable --now)."),
    keepAlive: z.boolean().optional().describe("Restart when it exits (KeepAlive / Restart=always)."),
    startInterval: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Run every N seconds (StartInterval / a systemd timer)."),
    environment: z
      .record(z.string(), z.string())
      .optional()
      .describe("Environment variables (EnvironmentVariables / Environment=)."),
    workingDirectory: z.string().optional().describe("Working directory (WorkingDirectory); ~ is expanded."),
    standardOutPath: z.string().optional().describe("Log file for stdout (StandardOutPath); ~ is expanded."),
    standardErrorPath: z
      .string()
      .optional()
      .describe("Log file for stderr (StandardErrorPath); ~ is expanded."),
  })
  .describe("A user service.");

export type ServiceConfig = z.infer<typeof ServiceSchema>;
