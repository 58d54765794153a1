import { dockerEngine, labFilter } from '../../src/providers/container/engine.js';

/**
 * List the engine's image tags and the names of its containers, networks
 * and volumes, sorted, to compare before and after a lab. A container lab
 * may leave nothing in the engine but the cached host image.
 */
export async function engineSnapshot(): Promise<Record<string, string>> {
  const docker = await dockerEngine();
  const images = (await docker.listImages()).flatMap((image) => image.RepoTags ?? [image.Id]);
  const containers = (await docker.listContainers({ all: true })).flatMap((container) => container.Names);
  const networks = (await docker.listNetworks()).map((network) => network.Name);
  const volumes = ((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name);
  // The host image is built the first time a lab needs it: compare the rest.
  const list = (names: string[]) => names.filter((name) => !name.startsWith('overlab-host:')).sort().join(',');
  return { engineImages: list(images), engineContainers: list(containers), engineNetworks: list(networks), engineVolumes: list(volumes) };
}

/** Containers, networks and volumes that still carry the lab's label. */
export async function engineLeftovers(lab: string): Promise<string[]> {
  const docker = await dockerEngine();
  const filters = labFilter(lab);
  return [
    ...(await docker.listContainers({ all: true, filters })).map((container) => `container ${container.Names.join(',')}`),
    ...(await docker.listNetworks({ filters })).map((network) => `network ${network.Name}`),
    ...((await docker.listVolumes({ filters })).Volumes ?? []).map((volume) => `volume ${volume.Name}`),
  ];
}
