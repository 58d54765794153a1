import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { stateRoot } from '../paths.js';
import { labFlag } from './lab-name.js';

export function lockFile(lab: string): string {
  return path.join(stateRoot(), 'locks', `${lab}.lock`);
}

/** A held lab lock; release() removes it. */
export interface LabLock {
  release(): Promise<void>;
}

/**
 * Take the lab's lock so that no other overlab process changes the lab at
 * the same time. The lock file holds the owner's PID and command; a lock
 * whose owner is gone (killed with SIGKILL, say) is taken over.
 */
export async function lockLab(lab: string, command: string): Promise<LabLock> {
  const file = lockFile(lab);
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${command}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const content = (await readFile(file, 'utf8').catch(() => '')).trim();
    const [pidText = '', ...words] = content.split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new OverlabError('LAB_BUSY', `lab "${lab}" is in use by overlab process ${pid} (${words.join(' ') || 'unknown command'})`, {
        hint: `wait for it to finish, or stop it with "kill ${pid}" and run the command again${labFlag(lab) ? ` with${labFlag(lab)}` : ''}`,
      });
    }
    // The owner is gone: the lock is stale.
    await rm(file, { force: true });
  }
  throw new OverlabError('LAB_BUSY', `could not take the lock of lab "${lab}" (${file})`, { hint: `remove ${file} if no overlab process is running` });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `action` while holding the lab's lock. */
export async function withLabLock<T>(lab: string, command: string, action: () => Promise<T>): Promise<T> {
  const lock = await lockLab(lab, command);
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
