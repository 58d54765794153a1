import type Dockerode from 'dockerode';
import { OverlabError } from '../../errors.js';

/** Labels on everything the container provider creates, so that `down` finds it by the lab's name alone. */
export const LAB_LABEL = 'org.overlab.lab';
export const HOST_LABEL = 'org.overlab.host';

let connecting: Promise<Dockerode> | undefined;

/**
 * Connect to the Docker engine the way testcontainers finds it (DOCKER_HOST,
 * ~/.testcontainers.properties, then the usual sockets). The Ryuk reaper is
 * off because it is an image pulled from a registry, and because labs
 * outlive overlab on purpose. `overlab down` removes them by label instead.
 */
export function dockerEngine(): Promise<Dockerode> {
  connecting ??= (async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const { getContainerRuntimeClient } = await import('testcontainers');
    try {
      const client = await getContainerRuntimeClient();
      return client.container.dockerode;
    } catch (error) {
      connecting = undefined;
      const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'the default Docker socket';
      throw new OverlabError('NO_ENGINE', `no Docker engine found at ${where} (${(error as Error).message.split('\n')[0]})`, {
        hint: 'start Docker (Docker Desktop, or dockerd), or point DOCKER_HOST at a running engine',
      });
    }
  })();
  return connecting;
}

/** Return the engine a lab is created on, as recorded in its state. */
export function currentEngine(): string {
  return process.env.DOCKER_HOST ?? '';
}

/** Raise when DOCKER_HOST now names another engine than the one the lab was created on. */
export function requireSameEngine(lab: string, recorded: string | undefined): void {
  if (recorded === undefined || recorded === currentEngine()) return;
  const where = (engine: string) => (engine ? `DOCKER_HOST=${engine}` : 'the default engine (DOCKER_HOST unset)');
  throw new OverlabError('BAD_ARGUMENT', `lab "${lab}" was created on ${where(recorded)}, not on ${where(currentEngine())}`, {
    hint: recorded ? `run overlab with DOCKER_HOST=${recorded}` : 'unset DOCKER_HOST',
  });
}

export function containerName(lab: string, host: string): string {
  return `overlab-${lab}-${host}`;
}

export function networkName(lab: string): string {
  return `overlab-${lab}-underlay`;
}

/** Return the filter for the engine's list calls that selects everything of one lab. */
export function labFilter(lab: string): string {
  return JSON.stringify({ label: [`${LAB_LABEL}=${lab}`] });
}
