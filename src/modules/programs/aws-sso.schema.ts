import { z } from "zod";
import { integration } from "./common.schema.js";

/** AWS config names: kept to characters every shell and INI reader take as they are. */
const name = z
  .string()
  .regex(/^[A-Za-z0-9_.@+-]+$/, "letters, digits and _ . @ + - only")
  .describe("A name.");
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region like eu-west-1");

export const AwsSsoSchema = z
  .strictObject({
    enable: z
      .boolean()
      .optional()
      .describe("Write ~/.aws/config and the awsp shell function (zsh, bash and fish)."),
    sessions: z
      .record(
        name,
        z.strictObject({
          startUrl: z.url().describe("sso_start_url: the AWS access portal URL."),
          region: region.describe("sso_region: where IAM Identity Center runs."),
          registrationScopes: z
            .array(z.string().regex(/^[\w:.-]+$/, "a scope like sso:account:access"))
            .optional()
            .describe("sso_registration_scopes (default sso:account:access)."),
        }),
      )
      .optional()
      .describe("[sso-session <name>] sections."),
    profiles: z
      .record(
        name,
        z.strictObject({
          session: name.describe("The sso-session it signs in through (a key of sessions)."),
          accountId: z
            .string({ error: 'expected the 12-digit account id as a quoted string ("012345678901")' })
            .regex(/^\d{12}$/, "a 12-digit AWS account id")
            .describe("sso_account_id, quoted so leading zeros survive."),
          roleName: z
            .string()
            .regex(/^[\w+=,.@-]+$/, "an IAM role name")
            .describe("sso_role_name."),
          region: region.optional().describe("The profile's default region."),
          output: z
            .enum(["json", "text", "table", "yaml", "yaml-stream"])
            .optional()
            .describe("The AWS CLI's output format."),
        }),
      )
      .optional()
      .describe("[profile <name>] sections (default: the [default] section); awsp switches between them."),
    enableZshIntegration: integration("zsh"),
    enableBashIntegration: integration("bash"),
    enableFishIntegration: integration("fish"),
  })
  .describe(
    "AWS IAM Identity Center (SSO) profiles: ~/.aws/config, and awsp [profile] to switch AWS_PROFILE.",
  );

export type AwsSsoOptions = z.infer<typeof AwsSsoSchema>;
