import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { debugFor } from '../../debug.js';
import { runOk } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../paths.js';

const debug = debugFor('provider');
const VM_DIR = path.join(PACKAGE_ROOT, 'vm');
const REPOSITORY = 'overlab-host';
/** Build directories are named after the overlab process: overlab-host-build.<pid>. */
const BUILD_PREFIX = 'overlab-host-build.';

/**
 * Image settings: the PID 1 of every host container, and the environment
 * that exec gives the course's commands. tini reaps the orphans that a
 * host's dockerd and a learner's background jobs leave.
 */
const IMAGE_CHANGES = [
  'CMD ["/usr/bin/tini", "-s", "--", "sleep", "infinity"]',
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV HOME=/root',
  'WORKDIR /root',
];

/**
 * Compute the host image's tag from a digest of every file in vm/, the
 * package list and scripts the image is built from. Changing any of them
 * builds a new image, and an unchanged vm/ reuses the cached one.
 */
export async function hostImageTag(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(VM_DIR)).sort()) {
    hash.update(`${name}\0`);
    hash.update(await readFile(path.join(VM_DIR, name)));
    hash.update('\0');
  }
  hash.update(IMAGE_CHANGES.join('\n'));
  return `${REPOSITORY}:${hash.digest('hex').slice(0, 16)}`;
}

/** Return the host image's tag, building and importing it into the engine first if it is not there. */
export async function ensureHostImage(docker: Dockerode, onProgress: (message: string) => void): Promise<string> {
  const tag = await hostImageTag();
  if (await imageExists(docker, tag)) return tag;
  if (!canDebootstrap()) {
    throw new OverlabError('MISSING_TOOL', `the host image ${tag} is not in the Docker engine and this machine cannot build it`, {
      hint: 'build it on Linux as root with debootstrap installed (apt-get install debootstrap): run "overlab start" there once against the same engine',
    });
  }

  onProgress(`building the host image ${tag} with debootstrap (once; about a minute)`);
  const started = performance.now();
  await removeStaleBuilds();
  const buildDir = path.join(os.tmpdir(), `${BUILD_PREFIX}${process.pid}`);
  await mkdir(buildDir, { recursive: true });
  const tarball = path.join(buildDir, 'rootfs.tar');
  try {
    // The build must not outlive overlab: setpriv kills unshare when overlab
    // dies, even by SIGKILL, and --kill-child then kills the build's PID
    // namespace, debootstrap and apt included (util-linux 2.38).
    await runOk(['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--pid', '--fork', '--kill-child', '--', path.join(VM_DIR, 'build-rootfs.sh'), tarball], {
      timeoutMs: 20 * 60_000,
      env: { TMPDIR: buildDir },
    });
    const [repo, version] = tag.split(':') as [string, string];
    const progress = await docker.importImage(createReadStream(tarball) as unknown as string, { repo, tag: version, changes: IMAGE_CHANGES });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (error) => (error ? reject(error) : resolve())));
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  if (!(await imageExists(docker, tag))) throw new OverlabError('PROVISION_FAILED', `importing the host image ${tag} into the Docker engine failed`);
  debug('host image %s built in %dms', tag, Math.round(performance.now() - started));
  return tag;
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

async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

function canDebootstrap(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((file) => existsSync(file));
}
