import { DotopsError } from "../errors.js";
import { toPlist } from "../format/plist.js";
import type { Host } from "../host/host.js";

export const AGENT_LABEL = "dev.dotops.agent";
const UNIT = "dotops-agent.service";

export interface ServiceSpec {
  platform: "darwin" | "linux";
  /** The full command line of the agent: node, the CLI, `agent`, flags. */
  program: string[];
  logFile: string;
  path: string;
}

export interface ServiceResult {
  file: string;
  commands: string[][];
}

/**
 * launchd's GUI domain of the user running dotops. The uid comes from the
 * process, never a guess: a platform without uids has no launchd domain.
 */
function guiDomain(): string {
  const uid = process.getuid?.();
  if (uid === undefined)
    throw new DotopsError(
      "launchd agents live in the user's GUI domain (gui/<uid>), and this platform reports no uid",
      1,
      "install the agent on the Mac itself",
    );
  return `gui/${uid}`;
}

const plistPath = (host: Host) => `${host.home}/Library/LaunchAgents/${AGENT_LABEL}.plist`;
const unitPath = (host: Host) => `${host.home}/.config/systemd/user/${UNIT}`;

export function launchdPlist(spec: ServiceSpec): string {
  return toPlist({
    Label: AGENT_LABEL,
    ProgramArguments: spec.program,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ProcessType: "Background",
    StandardOutPath: spec.logFile,
    StandardErrorPath: spec.logFile,
    EnvironmentVariables: { PATH: spec.path },
  });
}

export function systemdUnit(spec: ServiceSpec): string {
  const quote = (a: string) => (/[\s"\\]/.test(a) ? `"${a.replace(/(["\\])/g, "\\$1")}"` : a);
  return `[Unit]
Description=dotops agent: reconcile this machine with its config repo
After=network-online.target

[Service]
Type=simple
ExecStart=${spec.program.map(quote).join(" ")}
Restart=on-failure
RestartSec=30
Environment=PATH=${spec.path}
StandardOutput=append:${spec.logFile}
StandardError=append:${spec.logFile}

[Install]
WantedBy=default.target
`;
}

/** Writes the service definition and loads it: launchd on macOS, systemd --user on Linux. */
export async function installAgent(host: Host, spec: ServiceSpec): Promise<ServiceResult> {
  if (spec.platform === "darwin") {
    const file = plistPath(host);
    const domain = guiDomain();
    await host.mkdir(`${host.home}/Library/LaunchAgents`);
    await host.writeFile(file, launchdPlist(spec), 0o644);
    // Unload a previous version first; "3: No such process" just means it was not loaded.
    const out = await run(host, ["launchctl", "bootout", `${domain}/${AGENT_LABEL}`], [0, 3, 5, 36]);
    const load = await run(host, ["launchctl", "bootstrap", domain, file]);
    return { file, commands: [out.cmd, load.cmd] };
  }
  const file = unitPath(host);
  await host.mkdir(`${host.home}/.config/systemd/user`);
  await host.writeFile(file, systemdUnit(spec), 0o644);
  const reload = await run(host, ["systemctl", "--user", "daemon-reload"]);
  const enable = await run(host, ["systemctl", "--user", "enable", "--now", UNIT]);
  return { file, commands: [reload.cmd, enable.cmd] };
}

export async function uninstallAgent(
  host: Host,
  spec: Pick<ServiceSpec, "platform">,
): Promise<ServiceResult> {
  if (spec.platform === "darwin") {
    const file = plistPath(host);
    const out = await run(host, ["launchctl", "bootout", `${guiDomain()}/${AGENT_LABEL}`], [0, 3, 5, 36]);
    await host.unlink(file);
    return { file, commands: [out.cmd] };
  }
  const file = unitPath(host);
  const disable = await run(host, ["systemctl", "--user", "disable", "--now", UNIT], [0, 1, 5]);
  await host.unlink(file);
  const reload = await run(host, ["systemctl", "--user", "daemon-reload"]);
  return { file, commands: [disable.cmd, reload.cmd] };
}

async function run(host: Host, cmd: string[], okCodes = [0]) {
  const r = await host.exec(cmd[0] as string, cmd.slice(1));
  if (!okCodes.includes(r.exitCode)) {
    const msg = (r.stderr || r.stdout).trim();
    const hint = /Could not find domain for user gui/.test(msg)
      ? "launchd agents need a logged-in GUI session for this user; log in at the console (not only over ssh) and retry"
      : /Failed to connect to bus|No medium found/.test(msg)
        ? "no systemd user session: run `loginctl enable-linger $USER` or install from a login session"
        : undefined;
    throw new DotopsError(`${cmd.join(" ")} failed (exit ${r.exitCode}): ${msg}`, 1, hint);
  }
  return { cmd, result: r };
}
