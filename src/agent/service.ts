import type { Host } from "../host/host.js";
import { bootout, bootstrap, currentUid, guiDomain, printService } from "../resources/launchd/launchctl.js";
import { launchdPlist } from "../resources/launchd/render.js";
import { systemdService } from "../resources/systemd/render.js";
import { activeState, daemonReload, disableNow, enableNow } from "../resources/systemd/systemctl.js";

/*
 * The agent's own service, installed by `dotops install-agent`: rendered and
 * loaded by the same code as the `services:` kinds (resources/launchd,
 * resources/systemd), outside a generation so the agent can apply them.
 */

export const AGENT_LABEL = "dev.dotops.agent";
export const AGENT_UNIT = "dotops-agent.service";
const UNIT = AGENT_UNIT;

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

const plistPath = (host: Host) => `${host.home}/Library/LaunchAgents/${AGENT_LABEL}.plist`;
const unitPath = (host: Host) => `${host.home}/.config/systemd/user/${UNIT}`;

/** bootout of an agent that is not there, or is being torn down, is not a failure of (un)installing it. */
const NOTHING_TO_UNLOAD = [5, 36];

export function agentPlist(spec: ServiceSpec): string {
  return launchdPlist({
    label: AGENT_LABEL,
    program: spec.program,
    runAtLoad: true,
    keepAlive: { SuccessfulExit: false },
    processType: "Background",
    standardOutPath: spec.logFile,
    standardErrorPath: spec.logFile,
    environment: { PATH: spec.path },
  });
}

export function agentUnit(spec: ServiceSpec): string {
  return systemdService({
    description: "dotops agent: reconcile this machine with its config repo",
    after: ["network-online.target"],
    type: "simple",
    program: spec.program,
    restart: "on-failure",
    restartSec: 30,
    environment: { PATH: spec.path },
    standardOutPath: spec.logFile,
    standardErrorPath: spec.logFile,
    wantedBy: "default.target",
  });
}

/** Writes the service definition and loads it: launchd on macOS, systemd --user on Linux. */
export async function installAgent(host: Host, spec: ServiceSpec): Promise<ServiceResult> {
  if (spec.platform === "darwin") {
    const file = plistPath(host);
    const domain = guiDomain(await currentUid(host));
    await host.mkdir(`${host.home}/Library/LaunchAgents`);
    await host.writeFile(file, agentPlist(spec), 0o644);
    // Unload a previous version first: bootstrap of a loaded label fails with "5: Input/output error".
    await bootout(host, domain, AGENT_LABEL, NOTHING_TO_UNLOAD);
    await bootstrap(host, domain, file);
    return {
      file,
      commands: [
        ["launchctl", "bootout", `${domain}/${AGENT_LABEL}`],
        ["launchctl", "bootstrap", domain, file],
      ],
    };
  }
  const file = unitPath(host);
  await host.mkdir(`${host.home}/.config/systemd/user`);
  await host.writeFile(file, agentUnit(spec), 0o644);
  await daemonReload(host);
  await enableNow(host, UNIT);
  return {
    file,
    commands: [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", UNIT],
    ],
  };
}

export async function uninstallAgent(
  host: Host,
  spec: Pick<ServiceSpec, "platform">,
): Promise<ServiceResult> {
  if (spec.platform === "darwin") {
    const file = plistPath(host);
    const domain = guiDomain(await currentUid(host));
    await bootout(host, domain, AGENT_LABEL, NOTHING_TO_UNLOAD);
    await host.unlink(file);
    return { file, commands: [["launchctl", "bootout", `${domain}/${AGENT_LABEL}`]] };
  }
  const file = unitPath(host);
  // 1: its unit file is gone already; 5: systemd does not know the unit.
  await disableNow(host, UNIT, [1, 5]);
  await host.unlink(file);
  await daemonReload(host);
  return {
    file,
    commands: [
      ["systemctl", "--user", "disable", "--now", UNIT],
      ["systemctl", "--user", "daemon-reload"],
    ],
  };
}

/** Where the agent's service stands, as `dotops doctor` reports it. */
export interface AgentServiceStatus {
  /** The plist or unit file `install-agent` writes. */
  file: string;
  /** That file is there. */
  installed: boolean;
  /** systemd's active state, or launchd's (`running`, `not running`); `not loaded` when launchd has no such job. */
  state?: string;
  /** Why the service manager could not be asked (not on PATH, no user bus, no GUI session). */
  unknown?: string;
  /** The command that asked it. */
  asked?: string[];
}

/** Is the agent's service installed, and what does launchd / systemd say of it? Reads only. */
export async function agentServiceStatus(
  host: Host,
  platform: "darwin" | "linux",
): Promise<AgentServiceStatus> {
  const file = platform === "darwin" ? plistPath(host) : unitPath(host);
  const installed = (await host.lstat(file)) !== null;
  const tool = platform === "darwin" ? "launchctl" : "systemctl";
  if (!(await host.which(tool))) return { file, installed, unknown: `${tool} is not on PATH` };
  try {
    if (platform === "linux") {
      const r = await activeState(host, UNIT);
      const asked = ["systemctl", "--user", "is-active", UNIT];
      return "state" in r
        ? { file, installed, state: r.state, asked }
        : { file, installed, unknown: r.problem, asked };
    }
    const domain = guiDomain(await currentUid(host));
    const asked = ["launchctl", "print", `${domain}/${AGENT_LABEL}`];
    const loaded = await printService(host, domain, AGENT_LABEL);
    return { file, installed, state: loaded ? (loaded.state ?? "loaded") : "not loaded", asked };
  } catch (err) {
    return { file, installed, unknown: (err as Error).message.split("\n")[0] };
  }
}
