import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { OverlabError } from '../../errors.js';
import type { NamespaceHolder } from '../../lab/lab-state.js';

/** Environment variables that mark every process a lab starts, for cleanup by name. */
export const LAB_ENV = 'OVERLAB_LAB';
export const ROLE_ENV = 'OVERLAB_HOST';

/**
 * Start a process that holds new namespaces for one lab host (or the
 * underlay switch) and outlives overlab. tini is PID 1 of the new PID
 * namespace so that orphaned processes (containerd shims, a learner's
 * background jobs) are reaped; killing it makes the kernel kill every
 * other process of that namespace.
 */
export async function spawnHolder(lab: string, role: string, namespaces: readonly string[]): Promise<NamespaceHolder> {
  const argv = [
    ...namespaces.map((namespace) => `--${namespace}`),
    '--pid',
    '--fork',
    '--mount-proc',
    '--propagation',
    'private',
    '--',
    'tini',
    '-s',
    '--',
    'sleep',
    'infinity',
  ];
  const child = spawn('unshare', argv, {
    detached: true,
    stdio: 'ignore',
    env: { PATH: HOST_PATH, [LAB_ENV]: lab, [ROLE_ENV]: role },
  });
  const launcherPid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new OverlabError('MISSING_TOOL', 'unshare not found', { hint: 'install util-linux' })
          : error,
      );
    });
  });
  child.unref();
  const initPid = await waitForChild(launcherPid, role);
  return { launcherPid, initPid };
}

/** unshare --fork starts PID 1 of the new namespace as its only child. */
async function waitForChild(launcherPid: number, role: string): Promise<number> {
  const childrenFile = `/proc/${launcherPid}/task/${launcherPid}/children`;
  for (let attempt = 0; attempt < 400; attempt++) {
    const text = await readFile(childrenFile, 'utf8').catch(() => undefined);
    if (text === undefined) break;
    const pid = Number.parseInt(text.trim().split(/\s+/)[0] ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && (await isTini(pid))) return pid;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new OverlabError('PROVISION_FAILED', `the namespaces of ${role} did not come up (unshare exited)`, {
    hint: 'check that the kernel allows network, mount, UTS and PID namespaces and that tini is installed (apt-get install tini)',
  });
}

async function isTini(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.startsWith('tini');
}

/** True while the holder's PID 1 runs and still belongs to this lab (PIDs are reused). */
export async function isAlive(holder: NamespaceHolder, lab: string): Promise<boolean> {
  if (!(await isTini(holder.initPid))) return false;
  const environ = await readFile(`/proc/${holder.initPid}/environ`, 'latin1').catch(() => '');
  return environ.split('\0').includes(`${LAB_ENV}=${lab}`);
}

/** nsenter argv that enters every namespace of a host, with a clean environment. */
export function enterHost(holder: NamespaceHolder, lab: string, host: string, argv: readonly string[]): string[] {
  return [
    'nsenter',
    `--target=${holder.initPid}`,
    '--net',
    '--uts',
    '--mount',
    '--pid',
    '--',
    'env',
    '-i',
    // env changes directory after nsenter has entered the mount namespace.
    // nsenter --wd would open the directory before, in the machine's own
    // mount namespace, so a relative path would write to the real /root.
    '--chdir=/root',
    ...hostEnvironment(lab, host),
    ...argv,
  ];
}

/**
 * PATH on a lab host, and where overlab looks for the tools it runs there.
 * Distribution binaries come first: a docker client in /usr/local/bin may
 * be newer than the distribution's dockerd the lab runs. OVERLAB_HOST_PATH
 * replaces it.
 */
export const HOST_PATH = process.env.OVERLAB_HOST_PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin';

/** Build the environment of a command on a lab host, as if root had logged in there. */
export function hostEnvironment(lab: string, host: string): string[] {
  return [
    `PATH=${HOST_PATH}`,
    'HOME=/root',
    'USER=root',
    'LANG=C.UTF-8',
    `TERM=${process.env.TERM ?? 'xterm'}`,
    `${LAB_ENV}=${lab}`,
    `${ROLE_ENV}=${host}`,
  ];
}
