import type { ServiceConfig } from "../services/schema.js";

/** What a systemd user unit says: the `services:` entry, plus what only dotops' own agent sets. */
export interface SystemdSpec {
  description: string;
  program: string[];
  after?: string[];
  type: "simple" | "oneshot";
  restart?: "always" | "on-failure";
  restartSec?: number;
  environment?: Record<string, string>;
  workingDirectory?: string;
  /** Files stdout and stderr are appended to. */
  standardOutPath?: string;
  standardErrorPath?: string;
  /** The target that pulls it in when enabled; none for a unit started by its timer. */
  wantedBy?: string;
}

/** `%` starts a specifier in every unit setting. */
const specifiers = (s: string) => s.replace(/%/g, "%%");

/** One word of ExecStart: quoted when it has spaces or quotes; `$` would expand a variable. */
function execWord(a: string): string {
  const s = specifiers(a).replace(/\$/g, "$$$$");
  return /[\s"'\\]/.test(s) || s === "" ? `"${s.replace(/(["\\])/g, "\\$1")}"` : s;
}

const assignment = (k: string, v: string) => {
  const s = specifiers(`${k}=${v}`);
  return /[\s"\\]/.test(s) ? `"${s.replace(/(["\\])/g, "\\$1")}"` : s;
};

export function systemdService(spec: SystemdSpec): string {
  const env = Object.entries(spec.environment ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [
    "[Unit]",
    `Description=${specifiers(spec.description)}`,
    ...(spec.after?.length ? [`After=${spec.after.join(" ")}`] : []),
    "",
    "[Service]",
    `Type=${spec.type}`,
    `ExecStart=${spec.program.map(execWord).join(" ")}`,
    ...(spec.restart ? [`Restart=${spec.restart}`] : []),
    ...(spec.restartSec !== undefined ? [`RestartSec=${spec.restartSec}`] : []),
    ...env.map(([k, v]) => `Environment=${assignment(k, v)}`),
    ...(spec.workingDirectory ? [`WorkingDirectory=${specifiers(spec.workingDirectory)}`] : []),
    ...(spec.standardOutPath ? [`StandardOutput=append:${specifiers(spec.standardOutPath)}`] : []),
    ...(spec.standardErrorPath ? [`StandardError=append:${specifiers(spec.standardErrorPath)}`] : []),
    ...(spec.wantedBy ? ["", "[Install]", `WantedBy=${spec.wantedBy}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}

/** A timer that starts `<label>.service` every `interval` seconds (launchd's StartInterval). */
export function systemdTimer(label: string, interval: number, runAtLoad: boolean): string {
  return `[Unit]
Description=Run ${specifiers(label)}.service every ${interval} seconds

[Timer]
OnActiveSec=${runAtLoad ? 0 : interval}
OnUnitActiveSec=${interval}
Unit=${specifiers(label)}.service

[Install]
WantedBy=timers.target
`;
}

/** The unit files of a `services:` entry (its paths already expanded), by file name. */
export function systemdUnits(service: ServiceConfig): Record<string, string> {
  const interval = service.startInterval;
  const unit = systemdService({
    description: `${service.label} (dotops service)`,
    program: service.program,
    type: interval ? "oneshot" : "simple",
    restart: service.keepAlive && !interval ? "always" : undefined,
    environment: service.environment,
    workingDirectory: service.workingDirectory,
    standardOutPath: service.standardOutPath,
    standardErrorPath: service.standardErrorPath,
    wantedBy: interval ? undefined : "default.target",
  });
  return {
    [`${service.label}.service`]: unit,
    ...(interval
      ? { [`${service.label}.timer`]: systemdTimer(service.label, interval, service.runAtLoad ?? false) }
      : {}),
  };
}

/** The unit that is enabled and started: the timer of a periodic service, else the service. */
export const mainUnit = (service: Pick<ServiceConfig, "label" | "startInterval">) =>
  `${service.label}.${service.startInterval ? "timer" : "service"}`;

export const unitDir = (home: string) => `${home}/.config/systemd/user`;
