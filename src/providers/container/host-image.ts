import { createReadStream } from 'node:fs';
import type Dockerode from 'dockerode';
import { debugFor } from '../../debug.js';
import { OverlabError } from '../../errors.js';
import { buildInVmDir, canDebootstrap, vmDigest } from '../vm-build.js';

const debug = debugFor('provider');
const REPOSITORY = 'overlab-host';

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

/** Return the host image's tag: a digest of vm/ and of the image settings. */
export async function hostImageTag(): Promise<string> {
  return `${REPOSITORY}:${await vmDigest(IMAGE_CHANGES.join('\n'))}`;
}

/** Return the host image's tag, building and importing it into the engine first if it is not there. */
export async function ensureHostImage(docker: Dockerode, onProgress: (message: string) => void, signal?: AbortSignal): Promise<string> {
  const tag = await hostImageTag();
  if (await imageExists(docker, tag)) return tag;
  if (!canDebootstrap()) {
    throw new OverlabError('MISSING_TOOL', `the host image ${tag} is not in the Docker engine and this machine cannot build it`, {
      hint: 'build it on Linux as root with debootstrap installed (apt-get install debootstrap): run "overlab start" there once against the same engine',
    });
  }

  onProgress(`building the host image ${tag} with debootstrap (once; about a minute)`);
  const started = performance.now();
  await buildInVmDir('build-rootfs.sh', 'rootfs.tar', async (tarball) => {
    const [repo, version] = tag.split(':') as [string, string];
    const progress = await docker.importImage(createReadStream(tarball) as unknown as string, { repo, tag: version, changes: IMAGE_CHANGES });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (error) => (error ? reject(error) : resolve())));
  }, signal);
  if (!(await imageExists(docker, tag))) throw new OverlabError('PROVISION_FAILED', `importing the host image ${tag} into the Docker engine failed`);
  debug('host image %s built in %dms', tag, Math.round(performance.now() - started));
  return tag;
}

async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}
