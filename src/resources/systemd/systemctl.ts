import type { ExecResult, Host } from "../../host/host.js";
import { ToolError } from "../shared/tools.js";

/*
 * `systemctl --user`, the one way dotops talks to the user's systemd: the
 * `services:` kind and `dotops install-agent` both go through these.
 */

function hint(r: ExecResult): string | undefined {
  return /Failed to connect to bus|No medium found/.test(`${r.stderr}${r.stdout}`)
    ? "no systemd user session: run `loginctl enable-linger $USER` or install from a login session"
    : undefined;
}

export async function systemctl(
  host: Host,
  args: string[],
  opts: { ok?: number[]; readOnly?: boolean } = {},
): Promise<ExecResult> {
  const command = ["systemctl", "--user", ...args];
  const r = await host.exec("systemctl", command.slice(1), { readOnly: opts.readOnly });
  if (!(opts.ok ?? [0]).includes(r.exitCode) || r.timedOut) throw new ToolError(command, r, hint(r));
  return r;
}

/** systemd reads changed unit files only when told to. */
export const daemonReload = (host: Host) => systemctl(host, ["daemon-reload"]);

export const enableNow = (host: Host, unit: string) => systemctl(host, ["enable", "--now", unit]);

/** `tolerate`: exit codes that mean "nothing to disable" to the caller. */
export const disableNow = (host: Host, unit: string, tolerate: number[] = []) =>
  systemctl(host, ["disable", "--now", unit], { ok: [0, ...tolerate] });

/** Restarts a unit that is running, so it runs its new definition; one that is not stays stopped. */
export const tryRestart = (host: Host, unit: string) => systemctl(host, ["try-restart", unit]);

/** `enabled` (or `static`, `linked`, …), or null when the unit file is unknown. */
export async function unitFileState(host: Host, unit: string): Promise<string | null> {
  const r = await systemctl(host, ["is-enabled", unit], { ok: [0, 1], readOnly: true });
  return r.stdout.trim() || null;
}

/**
 * `active`, `inactive`, `failed`, … as `systemctl --user is-active` says
 * (exit 3 for anything not active); or, when it could say nothing (no user
 * bus: "Failed to connect to bus"), its message.
 */
export async function activeState(
  host: Host,
  unit: string,
): Promise<{ state: string } | { problem: string }> {
  const r = await host.exec("systemctl", ["--user", "is-active", unit], {
    readOnly: true,
    timeoutMs: 10_000,
  });
  const state = r.stdout.trim();
  if (state && !r.timedOut) return { state };
  const said = (r.stderr || r.stdout).trim().split("\n")[0];
  return {
    problem: said || `systemctl --user is-active exited ${r.exitCode}${r.timedOut ? " (timed out)" : ""}`,
  };
}
