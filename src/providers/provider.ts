import type { ExecResult } from '../exec.js';
import { OverlabError } from '../errors.js';
import { labFlag } from '../lab/lab-name.js';
import type { LabState, ProviderKind } from '../lab/lab-state.js';
import type { Topology } from '../lab/topology.js';

export interface HostExecOptions {
  input?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface ProvisionEvents {
  onProgress?: (message: string) => void;
  /**
   * Signal aborted on Ctrl-C or SIGTERM. A provider whose start-up runs for
   * minutes stops the programs it runs and raises INTERRUPTED. One that is up
   * within seconds may finish first.
   */
  signal?: AbortSignal;
}

/** The state of one host, as `overlab status` prints it. */
export interface HostDescription {
  name: string;
  address: string;
  running: boolean;
  services: { name: string; running: boolean }[];
  detail: string;
}

/**
 * A running lab: run commands on its hosts. Every provider gives the same
 * small surface so that the course runs unchanged on each.
 */
export interface RunningLab {
  readonly state: LabState;
  /**
   * How many times slower than the machine the hosts run: 1, or more for VMs
   * under software emulation. The lab stretches command timeouts by it, and
   * a check its own waits (a capture window, a retry deadline).
   */
  readonly slowdown: number;
  /** Run argv on a host, in the host's own namespaces; a non-zero exit is data. */
  exec(host: string, argv: readonly string[], options?: HostExecOptions): Promise<ExecResult>;
  /** Run a shell script on a host exactly as written, with bash -e. */
  script(host: string, script: string, options?: HostExecOptions): Promise<ExecResult>;
  /** Attach the terminal to a program on a host; returns its exit code. */
  interactive(host: string, argv: readonly string[]): Promise<number>;
  describe(): Promise<HostDescription[]>;
}

export interface DownReport {
  /** Processes, containers or VMs stopped; 0 when the lab was not running. */
  stopped: number;
  /** Summary of what was removed, for the user: "12 processes stopped, 4 cgroups removed". */
  summary: string;
  removedStateDir: boolean;
}

/** Raise when a running lab was made for another topology than the one requested. */
export function requireSameTopology(state: LabState, topology: Topology): void {
  if (state.topology.name === topology.name) return;
  throw new OverlabError('BAD_ARGUMENT', `lab "${state.lab}" runs topology "${state.topology.name}", not "${topology.name}"`, {
    hint: `run "overlab down${labFlag(state.lab)}" first, or pick another lab with --lab`,
  });
}

/** Return the INTERRUPTED error of a lab's start-up, with `hint` when given. */
export function interruptedError(lab: string, hint?: string): OverlabError {
  return new OverlabError('INTERRUPTED', `the start of lab "${lab}" was interrupted`, { hint });
}

/** Raise INTERRUPTED if the caller has aborted the lab's start-up. */
export function stopIfAborted(lab: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedError(lab);
}

/**
 * Run a provider's start-up and, once `signal` is aborted, raise INTERRUPTED
 * in place of whatever error the killed programs caused.
 */
export async function stopOnAbort<T>(lab: string, signal: AbortSignal | undefined, provision: () => Promise<T>): Promise<T> {
  try {
    return await provision();
  } catch (error) {
    stopIfAborted(lab, signal);
    throw error;
  }
}

/** Run a lab's provisioning, adding to a known failure's hint how to remove the half-built lab. */
export async function provisionOrExplain<T>(lab: string, provision: () => Promise<T>): Promise<T> {
  try {
    return await provision();
  } catch (error) {
    if (!(error instanceof OverlabError)) throw error;
    // The half-built lab is kept for its logs.
    const removal = `remove the half-built lab with "overlab down${labFlag(lab)}"`;
    throw new OverlabError(error.code, error.message, { hint: error.hint ? `${error.hint}; ${removal}` : removal, cause: error });
  }
}

export interface Provider {
  readonly kind: ProviderKind;
  /**
   * Whether two labs of one topology can run at once. Container labs cannot:
   * a Docker engine refuses a second network with the same subnet.
   */
  readonly sideBySide: boolean;
  /** Raise a one-line error naming the first missing prerequisite of a lab of this topology. */
  preflight(topology: Topology): Promise<void>;
  /** Create the lab's hosts and start their services; a lab that is already up is reused. */
  up(lab: string, topology: Topology, events?: ProvisionEvents): Promise<RunningLab>;
  /** Attach to a lab that is up; raises NO_LAB when there is none. */
  attach(lab: string): Promise<RunningLab>;
  /** Remove everything the lab created, found by the lab's name even without a state file. */
  down(lab: string): Promise<DownReport>;
}
