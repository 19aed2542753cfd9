import type { StatePaths } from "../engine/state.js";
import type { Host } from "../host/host.js";

/** What the agent remembers between reconciles (comin's state.json). */
export interface AgentState {
  /** The newest commit the agent tried, recorded before applying (Flux: attempted vs applied). */
  lastAttempted?: {
    commit: string;
    at: string;
    /** "pending" until the pass that tried it ends; then applied, failed, refused or rolled-back. */
    outcome: string;
    error?: string;
    generation?: number | null;
    /** The pass's process, with "pending": if it is gone and the record still says pending, the pass died. */
    pid?: number;
  };
  /** A staged rollout holding back `commit`: said once per wave waited for; not asked again while halted or baking. */
  rollout?: {
    commit: string;
    kind: "waiting" | "halted";
    key: string;
    reason: string;
    /** A bake ends then (epoch ms): no call to GitHub before. */
    notBefore?: number;
  };
  /** Drift last reported, so a report is logged on change, not on every poll. */
  driftKey?: string;
}

const agentFile = (state: StatePaths) => `${state.dir}/agent.json`;
const suspendFile = (state: StatePaths) => `${state.dir}/suspended`;

export async function readAgentState(host: Host, state: StatePaths): Promise<AgentState> {
  try {
    return JSON.parse((await host.readFile(agentFile(state))).toString("utf8")) as AgentState;
  } catch {
    return {};
  }
}

export async function writeAgentState(host: Host, state: StatePaths, s: AgentState): Promise<void> {
  await host.mkdir(state.dir, 0o700);
  await host.writeFile(agentFile(state), `${JSON.stringify(s, null, 2)}\n`, 0o600);
}

export interface Suspension {
  since: string;
  reason: string;
}

export async function suspension(host: Host, state: StatePaths): Promise<Suspension | null> {
  try {
    return JSON.parse((await host.readFile(suspendFile(state))).toString("utf8")) as Suspension;
  } catch {
    return null;
  }
}

/** Pauses reconciling until `resume` (persisted, so it survives agent restarts). */
export async function suspend(host: Host, state: StatePaths, reason: string): Promise<void> {
  await host.mkdir(state.dir, 0o700);
  await host.writeFile(
    suspendFile(state),
    `${JSON.stringify({ since: new Date().toISOString(), reason })}\n`,
    0o600,
  );
}

/** Lifts a suspension and forgets the last attempt, so the branch tip is applied again. */
export async function resume(host: Host, state: StatePaths): Promise<boolean> {
  const was = (await suspension(host, state)) !== null;
  await host.unlink(suspendFile(state));
  const s = await readAgentState(host, state);
  if (s.lastAttempted) await writeAgentState(host, state, { ...s, lastAttempted: undefined });
  return was;
}
