import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runOk } from '../exec.js';
import { PACKAGE_ROOT } from '../paths.js';

/** Provisioning shared by the container provider's host image and the Vagrant box and VMs. */
export const VM_DIR = path.join(PACKAGE_ROOT, 'vm');

/** Build directories are named after the overlab process: overlab-host-build.<pid>. */
const BUILD_PREFIX = 'overlab-host-build.';

/**
 * Return a digest of every file in vm/ (package lists and scripts) and of
 * `extra`, for naming what is built from them: changing any file builds
 * anew, and an unchanged vm/ reuses what was built before.
 */
export async function vmDigest(extra = ''): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(VM_DIR)).sort()) {
    hash.update(`${name}\0`);
    hash.update(await readFile(path.join(VM_DIR, name)));
    hash.update('\0');
  }
  hash.update(extra);
  return hash.digest('hex').slice(0, 16);
}

/** Report whether this machine can run vm/build-rootfs.sh: Linux, root and debootstrap. */
export function canDebootstrap(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((file) => existsSync(file));
}

/**
 * Run a build script of vm/ with the given output file name, in a directory
 * of its own under the system's temporary directory, and pass the output's
 * path to `use`. The directory is removed afterwards. Aborting `signal`
 * kills the build.
 */
export async function buildInVmDir(script: string, output: string, use: (file: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
  await removeStaleBuilds();
  const buildDir = path.join(os.tmpdir(), `${BUILD_PREFIX}${process.pid}`);
  await mkdir(buildDir, { recursive: true });
  const file = path.join(buildDir, output);
  try {
    // The build must not outlive overlab: setpriv kills unshare when overlab
    // dies, even by SIGKILL, and --kill-child then kills the build's PID
    // namespace, debootstrap and apt included (util-linux 2.38).
    await runOk(['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--pid', '--fork', '--kill-child', '--', path.join(VM_DIR, script), file], {
      timeoutMs: 20 * 60_000,
      env: { TMPDIR: buildDir },
      signal,
    });
    await use(file);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

/** Remove the build directories of overlab processes that are gone, killed before they could. */
async function removeStaleBuilds(): Promise<void> {
  for (const entry of await readdir(os.tmpdir()).catch(() => [] as string[])) {
    if (!entry.startsWith(BUILD_PREFIX)) continue;
    const pid = Number(entry.slice(BUILD_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
}
