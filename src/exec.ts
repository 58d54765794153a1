import { execa } from 'execa';
import { debugFor } from './debug.js';
import { OverlabError } from './errors.js';

const debug = debugFor('exec');

export interface ExecResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The caller's AbortSignal stopped the program. */
  interrupted: boolean;
  durationMs: number;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Replace the whole environment instead of extending overlab's own. */
  cleanEnv?: boolean;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
}

/**
 * Run a program with an argv array and return its exit code and output as
 * data: a non-zero exit is not an exception, because callers such as checks
 * and expected-to-fail steps treat it as a finding. A program that cannot be
 * started at all (missing binary) raises MISSING_TOOL.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run() needs a program');
  const started = performance.now();
  const subprocess = execa(file, args, {
    reject: false,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    env: options.env,
    extendEnv: !options.cleanEnv,
    stripFinalNewline: false,
    // A process group of its own: nsenter forks the command into the host,
    // so a timeout or an interruption must kill the whole group at once.
    // execa's own timeout kills only nsenter and then waits for the output
    // pipes, which the command inside the host keeps open until it ends.
    detached: true,
  });
  let timedOut = false;
  let interrupted = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup(subprocess.pid);
        }, options.timeoutMs);
  const onAbort = () => {
    interrupted = true;
    killGroup(subprocess.pid);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.onStdout) subprocess.stdout?.on('data', (chunk: Buffer) => options.onStdout?.(chunk.toString()));
  if (options.onStderr) subprocess.stderr?.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString()));
  const result = await subprocess;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const durationMs = performance.now() - started;
  const command = argv.join(' ');
  debug('%s -> %s in %dms', command, result.exitCode ?? result.signal, Math.round(durationMs));
  if (result.failed && result.exitCode === undefined && !timedOut && !interrupted) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new OverlabError('MISSING_TOOL', `${file} not found`, {
        hint: `install it (Debian: apt-get install ${debianPackageFor(file)})`,
      });
    }
  }
  // Without an exit code the program was killed: report 124 for a timeout
  // and 130 for an interrupt, as timeout(1) and a shell do.
  let exitCode = result.exitCode ?? 128;
  if (result.exitCode === undefined && timedOut) exitCode = 124;
  else if (result.exitCode === undefined && interrupted) exitCode = 130;
  return {
    command,
    exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut,
    interrupted,
    durationMs,
  };
}

/** Run a program that must succeed; a non-zero exit raises with its stderr. */
export async function runOk(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  const result = await run(argv, options);
  if (result.exitCode !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new OverlabError('PROVISION_FAILED', `${result.command} failed with exit code ${result.exitCode}: ${detail}`);
  }
  return result;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

const PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  bridge: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  tcpdump: 'tcpdump',
  ethtool: 'ethtool',
  ping: 'iputils-ping',
  docker: 'docker.io',
  dockerd: 'docker.io',
  tini: 'tini',
  etcd: 'etcd-server',
  ssh: 'openssh-client',
};

export function debianPackageFor(tool: string): string {
  const base = tool.split('/').pop() ?? tool;
  return PACKAGES[base] ?? base;
}
