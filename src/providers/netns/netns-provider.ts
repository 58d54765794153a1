import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { debugFor } from '../../debug.js';
import { runOk } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { labFlag } from '../../lab/lab-name.js';
import { newLabState, readLabState, writeLabState, type LabState, type NamespaceHolder } from '../../lab/lab-state.js';
import { hasService, type ServiceSpec, type Topology } from '../../lab/topology.js';
import { labDir } from '../../paths.js';
import { provisionOrExplain, requireSameTopology, type DownReport, type Provider, type ProvisionEvents, type RunningLab } from '../provider.js';
import { findLabProcesses, killAndWait, removeLabCgroups, removeLabDir } from './cleanup.js';
import { importLabImage, startService, waitForService } from './services.js';
import { SERVICE_ORDER } from '../service-recipes.js';
import { HOST_SETUP_SCRIPT } from './host-setup.js';
import { buildLabImage } from './lab-image.js';
import { enterHost, isAlive, spawnHolder } from './namespace-holder.js';
import { NetnsLab } from './netns-lab.js';

const debug = debugFor('provider');

/** Name of the switch's bridge and of the holder role for the underlay. */
const UNDERLAY_ROLE = 'underlay';

/**
 * Lab hosts as processes holding private network, UTS, mount and PID
 * namespaces, joined by a bridge in a namespace of its own. Nothing is added
 * to the machine's root network namespace: the veth pairs are created in the
 * underlay's namespace with one end moved straight into a host.
 */
export class NetnsProvider implements Provider {
  readonly kind = 'netns' as const;
  readonly sideBySide = true;

  async preflight(topology: Topology): Promise<void> {
    const { preflight } = await import('../../commands/prerequisites.js');
    await preflight(topology);
  }

  async up(lab: string, topology: Topology, events: ProvisionEvents = {}): Promise<RunningLab> {
    requireRoot();
    const existing = await readLabState(lab);
    if (existing) {
      if (existing.status === 'up' && (await allAlive(existing))) {
        requireSameTopology(existing, topology);
        return new NetnsLab(existing);
      }
      events.onProgress?.(`removing the incomplete lab "${lab}" left by an earlier run`);
      await this.down(lab);
    } else if ((await findLabProcesses(lab)).length > 0) {
      events.onProgress?.(`removing processes of lab "${lab}" left without a state file`);
      await this.down(lab);
    }

    return provisionOrExplain(lab, () => this.provision(lab, topology, events));
  }

  private async provision(lab: string, topology: Topology, events: ProvisionEvents): Promise<RunningLab> {
    const started = performance.now();
    await mkdir(path.join(labDir(lab), 'logs'), { recursive: true });
    const state = newLabState(lab, 'netns', topology);
    await writeLabState(state);

    const needsImage = topology.hosts.some((host) => hasService(host, 'docker'));
    const imagePromise = needsImage ? buildLabImage() : undefined;
    // Keep a rejected image build from being reported as unhandled while the hosts come up.
    imagePromise?.catch(() => undefined);

    events.onProgress?.(`creating ${topology.hosts.length} hosts and the underlay switch`);
    const [underlay, ...holders] = await Promise.all([
      spawnHolder(lab, UNDERLAY_ROLE, ['net', 'mount']),
      ...topology.hosts.map((host) => spawnHolder(lab, host.name, ['net', 'uts', 'mount'])),
    ]);
    state.underlay = underlay;
    topology.hosts.forEach((host, index) => {
      state.hosts[host.name] = holders[index] as NamespaceHolder;
    });
    await writeLabState(state);

    await Promise.all(
      topology.hosts.map((host) =>
        runOk(enterHost(state.hosts[host.name] as NamespaceHolder, lab, host.name, ['sh', '-c', HOST_SETUP_SCRIPT, 'setup', host.name, lab])),
      ),
    );
    await wireUnderlay(state, topology);
    debug('[%s] hosts and underlay up in %dms', lab, Math.round(performance.now() - started));

    for (const service of SERVICE_ORDER) {
      const hosts = topology.hosts.filter((host) => hasService(host, service));
      if (hosts.length === 0) continue;
      events.onProgress?.(`starting ${service === 'docker' ? 'dockerd' : service} on ${hosts.map((host) => host.name).join(', ')}`);
      const image = service === 'docker' ? await imagePromise : undefined;
      await Promise.all(
        hosts.map(async (host) => {
          const holder = state.hosts[host.name] as NamespaceHolder;
          const spec = host.services.find((candidate) => candidate.name === service) as ServiceSpec;
          await startService(lab, host, holder, spec);
          await waitForService(lab, host.name, holder, service);
          if (image) await importLabImage(lab, host.name, holder, image);
        }),
      );
    }

    state.status = 'up';
    await writeLabState(state);
    debug('[%s] lab up in %dms', lab, Math.round(performance.now() - started));
    return new NetnsLab(state);
  }

  async attach(lab: string): Promise<RunningLab> {
    requireRoot();
    const state = await readLabState(lab);
    if (!state) {
      throw new OverlabError('NO_LAB', `no lab "${lab}" is running`, {
        hint: `start one with "overlab start <chapter>${labFlag(lab)}"`,
      });
    }
    if (state.status !== 'up' || !(await allAlive(state))) {
      throw new OverlabError('LAB_BROKEN', `lab "${lab}" is incomplete or some of its hosts have stopped`, {
        hint: `run "overlab down${labFlag(lab)}" and start it again`,
      });
    }
    return new NetnsLab(state);
  }

  async down(lab: string): Promise<DownReport> {
    requireRoot();
    const state = await readLabState(lab).catch(() => undefined);
    const pids = new Set(await findLabProcesses(lab));
    if (state) {
      for (const holder of [state.underlay, ...Object.values(state.hosts)]) {
        if (holder && (await isAlive(holder, lab))) {
          pids.add(holder.initPid);
          pids.add(holder.launcherPid);
        }
      }
    }
    const killedProcesses = await killAndWait([...pids]);
    const removedCgroups = await removeLabCgroups(lab);
    const removedStateDir = await removeLabDir(lab);
    debug('[%s] down: %d processes, %d cgroups', lab, killedProcesses, removedCgroups);
    return { stopped: killedProcesses, summary: `${killedProcesses} processes stopped, ${removedCgroups} cgroups removed`, removedStateDir };
  }
}

/** Create the underlay bridge and one veth pair per host, then address each host's end. */
async function wireUnderlay(state: LabState, topology: Topology): Promise<void> {
  const underlay = state.underlay as NamespaceHolder;
  const device = topology.underlay.interface;
  // IGMP snooping off: the bridge plays a plain switch, and snooping without
  // a querier drops multicast VXLAN traffic after its timers expire.
  const commands = ['link add br0 type bridge mcast_snooping 0', 'link set br0 up'];
  for (const host of topology.hosts) {
    const holder = state.hosts[host.name] as NamespaceHolder;
    commands.push(`link add ${host.name} type veth peer name ${device} netns ${holder.initPid}`);
    commands.push(`link set ${host.name} master br0`, `link set ${host.name} up`);
  }
  await runOk(['nsenter', `--target=${underlay.initPid}`, '--net', '--', 'ip', '-batch', '-'], { input: `${commands.join('\n')}\n` });
  await Promise.all(
    topology.hosts.map((host) =>
      runOk(['nsenter', `--target=${(state.hosts[host.name] as NamespaceHolder).initPid}`, '--net', '--', 'ip', '-batch', '-'], {
        input: `addr add ${host.address} dev ${device}\nlink set ${device} up\n`,
      }),
    ),
  );
}

async function allAlive(state: LabState): Promise<boolean> {
  const holders = [state.underlay, ...Object.values(state.hosts)];
  for (const holder of holders) {
    if (!holder || !(await isAlive(holder, state.lab))) return false;
  }
  return true;
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new OverlabError('NOT_ROOT', 'the netns provider needs root (it creates network namespaces and runs dockerd)', {
      hint: 'run overlab with sudo',
    });
  }
}
