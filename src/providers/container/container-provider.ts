import { mkdir } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import type { GenericContainer } from 'testcontainers';
import { debugFor } from '../../debug.js';
import { OverlabError } from '../../errors.js';
import { labFlag } from '../../lab/lab-name.js';
import { newLabState, readLabState, writeLabState, type ContainerHosts, type LabState } from '../../lab/lab-state.js';
import { hostAddress, type HostSpec, type ServiceSpec, type Topology } from '../../lab/topology.js';
import { labDir } from '../../paths.js';
import { removeLabDir } from '../netns/cleanup.js';
import { provisionOrExplain, requireSameTopology, stopOnAbort, type DownReport, type Provider, type ProvisionEvents, type RunningLab } from '../provider.js';
import { mustRun, SERVICE_RECIPES, startServices } from '../service-recipes.js';
import { ContainerLab, execDetached } from './container-lab.js';
import { containerName, currentEngine, dockerEngine, HOST_LABEL, LAB_LABEL, labFilter, networkName, requireSameEngine } from './engine.js';
import { ensureHostImage } from './host-image.js';
import { engineCapabilities, isCapabilityRefusal, unknownCapability } from './privileges.js';

const debug = debugFor('provider');

/**
 * Set-up run once in each new host container ($1 = "privileged" or "capabilities").
 * - Without --privileged, Docker mounts sysfs and the cgroup v1 hierarchies
 *   read-only. The host's dockerd creates cgroups and `ip netns exec`
 *   remounts /sys, so both are remounted read-write. The cgroup mounts are
 *   bind mounts, which need "bind" in the remount flags, or mount(8) reports
 *   them busy.
 * - On cgroup v2 (Docker Desktop), dockerd can only enable controllers for
 *   its containers once no process sits in the root cgroup, so the host's
 *   own processes move to a child cgroup first, as Docker's dind image does.
 */
const HOST_SETUP_SCRIPT = String.raw`
set -eu
if [ "$1" = capabilities ]; then
  mount -o remount,rw /sys
  if mountpoint -q /sys/fs/cgroup && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
    mount -o remount,rw /sys/fs/cgroup
    for dir in /sys/fs/cgroup/*/; do
      mountpoint -q "$dir" && mount -o remount,bind,rw "$dir"
    done
  fi
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  # NOTE: this cgroup v2 path is not exercised by the tests, whose engine runs on cgroup v1.
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
fi
mkdir -p /var/log/overlab
`;

/**
 * Security options that, with every capability the engine can give, stand in
 * for --privileged. The third, "systempaths=unconfined", is a docker client
 * option: the API takes it as empty MaskedPaths and ReadonlyPaths.
 */
const UNCONFINED = ['seccomp=unconfined', 'apparmor=unconfined'];

/**
 * Provider of lab hosts as containers of a Docker engine, each running its own dockerd
 * (Docker in Docker), on a user-defined bridge network with the lab's
 * underlay subnet and fixed addresses. The network is internal: the engine
 * routes nothing from it to the outside.
 */
export class ContainerProvider implements Provider {
  readonly kind = 'container' as const;
  readonly sideBySide = false;

  async preflight(_topology: Topology): Promise<void> {
    await dockerEngine();
  }

  async up(lab: string, topology: Topology, events: ProvisionEvents = {}): Promise<RunningLab> {
    const docker = await dockerEngine();
    const existing = await readLabState(lab);
    requireSameEngine(lab, existing?.containers?.engine);
    if (existing?.status === 'up' && (await allRunning(docker, existing))) {
      requireSameTopology(existing, topology);
      return new ContainerLab(existing, docker);
    }
    const leftovers = [...(await docker.listContainers({ all: true, filters: labFilter(lab) })), ...(await docker.listNetworks({ filters: labFilter(lab) }))];
    if (existing || leftovers.length > 0) {
      events.onProgress?.(`removing the incomplete lab "${lab}" left by an earlier run`);
      await this.down(lab);
    }
    // Before any state is written: a lab rejected here leaves nothing to remove.
    await requireFreeSubnet(docker, lab, topology);
    return provisionOrExplain(lab, () => stopOnAbort(lab, events.signal, () => this.provision(docker, lab, topology, events)));
  }

  private async provision(docker: Dockerode, lab: string, topology: Topology, events: ProvisionEvents): Promise<RunningLab> {
    const started = performance.now();
    const progress = events.onProgress ?? (() => undefined);
    await mkdir(labDir(lab), { recursive: true });
    const state = newLabState(lab, 'container', topology);
    await writeLabState(state);

    const image = await ensureHostImage(docker, progress, events.signal);
    const network = await createUnderlay(docker, lab, topology);
    progress(`creating ${topology.hosts.length} host containers on ${network} (${topology.underlay.subnet})`);
    let privileges: ContainerHosts['privileges'] = 'privileged';
    let capabilities: string[] = [];
    let ids: Record<string, string>;
    try {
      ids = await startHosts(lab, topology, image, network, undefined);
    } catch (error) {
      if (!isCapabilityRefusal(error)) throw provisionError(error);
      await removeContainers(docker, lab);
      privileges = 'capabilities';
      ({ ids, capabilities } = await startHostsWithCapabilities(lab, topology, image, network, await engineCapabilities(docker, image, lab)));
    }
    progress(
      privileges === 'privileged'
        ? 'host containers run privileged'
        : `the engine refused --privileged (it withholds a capability), so the hosts run with ${capabilities.length} capabilities and seccomp, AppArmor and system paths unconfined`,
    );
    state.containers = { network, ids, privileges, engine: currentEngine() };
    await writeLabState(state);

    const running = new ContainerLab(state, docker);
    await Promise.all(topology.hosts.map((host) => mustRun(running, host.name, ['sh', '-c', HOST_SETUP_SCRIPT, 'setup', privileges])));
    debug('[%s] host containers up in %dms', lab, Math.round(performance.now() - started));

    await startServices(running, topology, progress, (host, spec) => startService(docker, state, host, spec));

    state.status = 'up';
    await writeLabState(state);
    debug('[%s] lab up in %dms', lab, Math.round(performance.now() - started));
    return running;
  }

  async attach(lab: string): Promise<RunningLab> {
    const state = await readLabState(lab);
    if (!state) {
      throw new OverlabError('NO_LAB', `no lab "${lab}" is running`, { hint: `start one with "overlab start <chapter> --provider container${labFlag(lab)}"` });
    }
    requireSameEngine(lab, state.containers?.engine);
    const docker = await dockerEngine();
    if (state.status !== 'up' || !(await allRunning(docker, state))) {
      throw new OverlabError('LAB_BROKEN', `lab "${lab}" is incomplete or some of its host containers have stopped`, {
        hint: `run "overlab down${labFlag(lab)}" and start it again`,
      });
    }
    return new ContainerLab(state, docker);
  }

  async down(lab: string): Promise<DownReport> {
    requireSameEngine(lab, (await readLabState(lab).catch(() => undefined))?.containers?.engine);
    const docker = await dockerEngine();
    const containers = await removeContainers(docker, lab);
    const networks = await docker.listNetworks({ filters: labFilter(lab) });
    await Promise.all(networks.map((network) => docker.getNetwork(network.Id).remove()));
    const { Volumes: volumes } = await docker.listVolumes({ filters: labFilter(lab) });
    await Promise.all((volumes ?? []).map((volume) => docker.getVolume(volume.Name).remove()));
    const removedStateDir = await removeLabDir(lab);
    debug('[%s] down: %d containers, %d networks, %d volumes', lab, containers, networks.length, volumes?.length ?? 0);
    return {
      stopped: containers,
      summary: `${count(containers, 'container')}, ${count(networks.length, 'network')} and ${count(volumes?.length ?? 0, 'volume')} removed`,
      removedStateDir,
    };
  }
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

/** Raise, naming the other lab, when the engine already has a network on the lab's underlay subnet. */
async function requireFreeSubnet(docker: Dockerode, lab: string, topology: Topology): Promise<void> {
  const networks = await docker.listNetworks();
  const taken = networks.find((network) => network.IPAM?.Config?.some((config) => config.Subnet === topology.underlay.subnet));
  if (!taken) return;
  const other = taken.Labels?.[LAB_LABEL];
  throw new OverlabError('LAB_BUSY', `the Docker engine already has network ${taken.Name} on ${topology.underlay.subnet}, the lab's underlay${other ? `, for lab "${other}"` : ''}`, {
    hint: `container labs run one at a time on an engine: remove the other with ${other ? `"overlab down${labFlag(other)}"` : `"docker network rm ${taken.Name}"`}, or use the netns provider for labs side by side`,
  });
}

async function createUnderlay(docker: Dockerode, lab: string, topology: Topology): Promise<string> {
  const name = networkName(lab);
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Internal: true,
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: topology.underlay.subnet }] },
      Labels: { [LAB_LABEL]: lab },
    });
  } catch (error) {
    const message = String((error as Error).message);
    if (/overlaps/i.test(message)) {
      throw new OverlabError('LAB_BUSY', `the Docker engine already has a network on ${topology.underlay.subnet}, the lab's underlay`, {
        hint: 'container labs run one at a time on an engine: remove the other lab with "overlab down --lab NAME" (or the network with "docker network rm"), or use the netns provider for labs side by side',
      });
    }
    throw provisionError(error);
  }
  return name;
}

/** Configure a host container, all but how it gets its privileges. */
async function hostContainer(lab: string, host: HostSpec, image: string, network: string, unconfined: boolean): Promise<GenericContainer> {
  const { GenericContainer } = await import('testcontainers');
  // testcontainers has no option for a fixed address; the engine's create
  // call takes it in NetworkingConfig (a network alias would drop it).
  class HostContainer extends GenericContainer {
    protected override async beforeContainerCreated(): Promise<void> {
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: hostAddress(host) } } } };
      if (unconfined) Object.assign(this.hostConfig, { MaskedPaths: [], ReadonlyPaths: [] });
    }
  }
  return (
    new HostContainer(image)
      .withName(containerName(lab, host.name))
      .withHostname(host.name)
      .withLabels({ [LAB_LABEL]: lab, [HOST_LABEL]: host.name })
      .withNetworkMode(network)
      // The host's dockerd cannot put overlay2 on the container's own overlay
      // file system, so it gets a tmpfs. The tmpfs needs exec to run containers.
      .withTmpFs({ '/var/lib/docker': 'rw,exec,dev,suid,mode=711', '/var/lib/etcd': 'rw,mode=700' })
      .withStartupTimeout(60_000)
  );
}

async function startHosts(lab: string, topology: Topology, image: string, network: string, capabilities: string[] | undefined): Promise<Record<string, string>> {
  // allSettled, not all: a caller that retries after one host fails removes
  // the lab's containers first, and a start still in flight would create its
  // container after that removal and take the name the retry needs.
  const started = await Promise.allSettled(
    topology.hosts.map(async (host) => {
      const container = await hostContainer(lab, host, image, network, capabilities !== undefined);
      if (capabilities) container.withAddedCapabilities(...capabilities).withSecurityOpt(...UNCONFINED);
      else container.withPrivilegedMode();
      return [host.name, (await container.start()).getId()] as const;
    }),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return Object.fromEntries(started.map((result) => (result as PromiseFulfilledResult<readonly [string, string]>).value));
}

/** Start the hosts with every capability that the engine grants and accepts by name. */
async function startHostsWithCapabilities(
  lab: string,
  topology: Topology,
  image: string,
  network: string,
  granted: string[],
): Promise<{ ids: Record<string, string>; capabilities: string[] }> {
  const capabilities = [...granted];
  for (;;) {
    try {
      return { ids: await startHosts(lab, topology, image, network, capabilities), capabilities };
    } catch (error) {
      const unknown = unknownCapability(error);
      if (!unknown || !capabilities.includes(unknown)) throw provisionError(error);
      capabilities.splice(capabilities.indexOf(unknown), 1);
      await removeContainers(await dockerEngine(), lab);
    }
  }
}

async function removeContainers(docker: Dockerode, lab: string): Promise<number> {
  const containers = await docker.listContainers({ all: true, filters: labFilter(lab) });
  await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true, v: true })));
  return containers.length;
}

/** Start a service in a host, detached, with its output in /var/log/overlab inside the host. */
async function startService(docker: Dockerode, state: LabState, host: HostSpec, spec: ServiceSpec): Promise<void> {
  const id = state.containers?.ids[host.name] as string;
  await execDetached(docker.getContainer(id), ['sh', '-c', 'exec "$@" >>"$0" 2>&1', `/var/log/overlab/${spec.name}.log`, ...SERVICE_RECIPES[spec.name].argv(host, spec)]);
}

async function allRunning(docker: Dockerode, state: LabState): Promise<boolean> {
  const ids = Object.values(state.containers?.ids ?? {});
  if (ids.length !== state.topology.hosts.length) return false;
  for (const id of ids) {
    const inspected = await docker.getContainer(id).inspect().catch(() => undefined);
    if (!inspected?.State.Running) return false;
  }
  return true;
}

function provisionError(error: unknown): OverlabError {
  if (error instanceof OverlabError) return error;
  return new OverlabError('PROVISION_FAILED', `the Docker engine request failed: ${String((error as Error).message ?? error).split('\n')[0]}`);
}
