import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { debugFor } from '../../debug.js';
import { labDir } from '../../paths.js';
import { LAB_ENV } from './namespace-holder.js';

const debug = debugFor('provider');

/**
 * PIDs of every process whose environment marks it as part of the lab:
 * the namespace holders and everything overlab started inside the hosts.
 * Works without the lab's state file.
 */
export async function findLabProcesses(lab: string): Promise<number[]> {
  const marker = `${LAB_ENV}=${lab}`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || pid === process.ppid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(marker)) pids.push(pid);
  }
  return pids;
}

/** SIGKILL the given processes and wait (at most timeoutMs) until they are gone. */
export async function killAndWait(pids: readonly number[], timeoutMs = 5_000): Promise<number> {
  let killed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const alive = pids.filter((pid) => isRunning(pid));
    if (alive.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return killed;
}

/** A zombie no longer holds namespaces, so it counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}

/**
 * Remove the cgroups that the lab's dockerds created under their
 * lab-named parents (cgroup v1 controllers and the v2 tree alike). runc
 * removes a container's cgroup only when the container is stopped through
 * it, not when its host's PID namespace is killed.
 */
export async function removeLabCgroups(lab: string, root = '/sys/fs/cgroup'): Promise<number> {
  const prefix = `overlab-${lab}-`;
  const hierarchies = [root];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && !entry.name.startsWith(prefix)) hierarchies.push(path.join(root, entry.name));
  }
  let removed = 0;
  for (const hierarchy of hierarchies) {
    for (const entry of await readdir(hierarchy, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && entry.name.startsWith(prefix)) {
        removed += await removeCgroupTree(path.join(hierarchy, entry.name));
      }
    }
  }
  return removed;
}

async function removeCgroupTree(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) removed += await removeCgroupTree(path.join(dir, entry.name));
  }
  // A cgroup whose last task has just died can stay busy for a moment.
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await rmdir(dir);
      return removed + 1;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return removed;
      if (code !== 'EBUSY') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  debug('could not remove cgroup %s', dir);
  return removed;
}

export async function removeLabDir(lab: string): Promise<boolean> {
  const dir = labDir(lab);
  const existed = await readdir(dir).then(
    () => true,
    () => false,
  );
  await rm(dir, { recursive: true, force: true });
  return existed;
}
