import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { debugFor } from '../../debug.js';
import { run } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { writeFileAtomic } from '../../lab/atomic-file.js';
import { labFlag } from '../../lab/lab-name.js';
import { newLabState, readLabState, writeLabState } from '../../lab/lab-state.js';
import type { Topology } from '../../lab/topology.js';
import { labDir } from '../../paths.js';
import { findLabProcesses, killAndWait, removeLabDir } from '../netns/cleanup.js';
import { provisionOrExplain, requireSameTopology, stopIfAborted, stopOnAbort, type DownReport, type Provider, type ProvisionEvents, type RunningLab } from '../provider.js';
import { mustRun, SERVICE_RECIPES, startServices } from '../service-recipes.js';
import { boxName, ensureBox, poolVolumes } from './box.js';
import { SshHosts } from './ssh.js';
import { dotfileDir, netnsPrefix, topologyFile, vagrant, vagrantOk, vagrantSettings } from './vagrant.js';
import { VagrantLab } from './vagrant-lab.js';

const debug = debugFor('provider');
const VIRSH = ['virsh', '--connect', 'qemu:///system'];

/** Return the prefix of a lab's VM names, as the Vagrantfile sets it. */
function domainPrefix(lab: string): string {
  return `overlab-${lab}-`;
}

function sshHosts(lab: string): SshHosts {
  return new SshHosts(path.join(labDir(lab), 'ssh-config'), labDir(lab), netnsPrefix());
}

/**
 * Provider of lab hosts as VMs, made by Vagrant from the top-level
 * Vagrantfile and provisioned by vm/ (the container image's scripts).
 * Commands reach the VMs over one SSH connection each.
 */
export class VagrantProvider implements Provider {
  readonly kind = 'vagrant' as const;
  // Three VMs per lab: one lab at a time is what a machine runs well.
  readonly sideBySide = false;

  async preflight(_topology: Topology): Promise<void> {
    vagrantSettings();
    for (const [tool, fix] of [
      ['vagrant', 'apt-get install vagrant vagrant-libvirt (or HashiCorp\'s package)'],
      ['ssh', 'apt-get install openssh-client'],
    ] as const) {
      const found = await run([tool, '-V'], { timeoutMs: 30_000 }).catch(() => undefined);
      if (!found) throw new OverlabError('MISSING_TOOL', `${tool} not found; the vagrant provider runs it`, { hint: fix });
    }
  }

  async up(lab: string, topology: Topology, events: ProvisionEvents = {}): Promise<RunningLab> {
    const existing = await readLabState(lab);
    if (existing?.status === 'up') {
      requireSameTopology(existing, topology);
      const running = await this.attach(lab).catch(() => undefined);
      if (running) return running;
    }
    if (existing || existsSync(dotfileDir(lab))) {
      events.onProgress?.(`removing the incomplete lab "${lab}" left by an earlier run`);
      await this.down(lab);
    }
    return provisionOrExplain(lab, () => stopOnAbort(lab, events.signal, () => this.provision(lab, topology, events)));
  }

  private async provision(lab: string, topology: Topology, events: ProvisionEvents): Promise<RunningLab> {
    const started = performance.now();
    const progress = events.onProgress ?? (() => undefined);
    const settings = vagrantSettings();
    await mkdir(labDir(lab), { recursive: true });
    const state = newLabState(lab, 'vagrant', topology);
    await writeLabState(state);
    await writeFileAtomic(topologyFile(lab), `${JSON.stringify(topology, null, 2)}\n`);

    const { signal } = events;
    const box = await ensureBox(progress, signal);
    state.vagrant = { provider: settings.provider, box, domainPrefix: domainPrefix(lab) };
    await writeLabState(state);
    const hosts = topology.hosts.map((host) => host.name);
    const emulated = settings.provider === 'libvirt' && settings.libvirtDriver === 'qemu' ? ', software emulation: minutes' : '';
    progress(`starting ${hosts.length} VMs with vagrant (${settings.provider}, box ${box}${emulated})`);
    await vagrantOk(lab, box, ['up', '--provider', settings.provider, ...hosts], {
      timeoutMs: 30 * 60_000,
      signal,
      onStdout: (chunk) => {
        // Vagrant's own headlines ("==> node1: Machine booted and ready!").
        for (const line of chunk.split('\n')) if (/^==> \S+: [A-Z]/.test(line) && !line.includes(' -- ')) progress(line.slice(4).trim());
      },
    });
    const config = await vagrantOk(lab, box, ['ssh-config', ...hosts], { timeoutMs: 5 * 60_000, signal });
    await writeFileAtomic(path.join(labDir(lab), 'ssh-config'), config.stdout);
    const ssh = sshHosts(lab);
    await Promise.all(hosts.map((host) => connect(ssh, lab, host)));
    debug('[%s] VMs up in %dms', lab, Math.round(performance.now() - started));
    stopIfAborted(lab, signal);

    const running = new VagrantLab(state, ssh);
    // A transient systemd unit per daemon: the VM's init supervises it, as a
    // distribution's own unit would, with the topology's flags.
    await startServices(
      running,
      topology,
      progress,
      async (host, spec) => {
        const log = `/var/log/overlab/${spec.name}.log`;
        await mustRun(running, host.name, [
          'systemd-run',
          `--unit=overlab-${spec.name}`,
          '--collect',
          `--property=StandardOutput=append:${log}`,
          `--property=StandardError=append:${log}`,
          '--',
          ...SERVICE_RECIPES[spec.name].argv(host, spec),
        ]);
      },
      180_000,
    );
    stopIfAborted(lab, signal);

    state.status = 'up';
    await writeLabState(state);
    debug('[%s] lab up in %dms', lab, Math.round(performance.now() - started));
    return running;
  }

  async attach(lab: string): Promise<RunningLab> {
    const state = await readLabState(lab);
    if (!state) {
      throw new OverlabError('NO_LAB', `no lab "${lab}" is running`, { hint: `start one with "overlab start <chapter> --provider vagrant${labFlag(lab)}"` });
    }
    if (state.status !== 'up') {
      throw new OverlabError('LAB_BROKEN', `lab "${lab}" is incomplete: its VMs were being made when overlab stopped`, { hint: `run "overlab down${labFlag(lab)}" and start it again` });
    }
    const ssh = sshHosts(lab);
    await Promise.all(state.topology.hosts.map((host) => connect(ssh, lab, host.name)));
    return new VagrantLab(state, ssh);
  }

  async down(lab: string): Promise<DownReport> {
    const state = await readLabState(lab).catch(() => undefined);
    const ssh = sshHosts(lab);
    const hosts = state?.topology.hosts.map((host) => host.name) ?? [];
    await Promise.all(hosts.map((host) => ssh.disconnect(host)));
    // A vagrant that outlived its overlab (killed, or its terminal closed)
    // would hold Vagrant's lock on the machines; its environment names the lab.
    await killAndWait(await findLabProcesses(lab));

    let destroyed = 0;
    if (existsSync(dotfileDir(lab))) {
      const result = await vagrant(lab, state?.vagrant?.box ?? (await boxName()), ['destroy', '--force'], { timeoutMs: 10 * 60_000 });
      destroyed = (result.stdout.match(/: Removing domain|: Destroying VM and associated drives/g) ?? []).length;
      if (result.exitCode !== 0) debug('[%s] vagrant destroy failed: %s', lab, result.stderr.trim());
    }
    // Without Vagrant's record of the machines (a state directory lost with
    // /run at reboot, or a start killed mid-way), the lab's libvirt domains
    // and network are found by name.
    const leftovers = await removeLibvirtLeftovers(lab);
    const removedStateDir = await removeLabDir(lab);
    const vms = destroyed + leftovers.domains;
    return {
      stopped: vms,
      summary: `${vms} VM${vms === 1 ? '' : 's'} destroyed${leftovers.networks > 0 ? `, ${leftovers.networks} libvirt network removed` : ''}`,
      removedStateDir,
    };
  }
}

async function connect(ssh: SshHosts, lab: string, host: string): Promise<void> {
  try {
    await ssh.connect(host);
  } catch (error) {
    throw new OverlabError('LAB_BROKEN', `host ${host} of lab "${lab}" cannot be reached over SSH: ${(error as Error).message}`, {
      hint: `run "overlab down${labFlag(lab)}" and start it again`,
    });
  }
}

/** Destroy the libvirt domains and network named after the lab; nothing when libvirt is not in use. */
async function removeLibvirtLeftovers(lab: string): Promise<{ domains: number; networks: number }> {
  const domains = await run([...VIRSH, 'list', '--all', '--name'], { timeoutMs: 30_000 }).catch(() => undefined);
  if (domains?.exitCode !== 0) return { domains: 0, networks: 0 };
  let removedDomains = 0;
  for (const domain of domains.stdout.split('\n').map((line) => line.trim())) {
    if (!domain.startsWith(domainPrefix(lab))) continue;
    await run([...VIRSH, 'destroy', domain], { timeoutMs: 60_000 });
    await run([...VIRSH, 'undefine', domain, '--remove-all-storage'], { timeoutMs: 60_000 });
    removedDomains++;
  }
  // vagrant-libvirt creates a VM's disk in the pool before the domain, so a
  // vagrant up killed in between leaves the disk without a domain.
  for (const volume of await poolVolumes()) {
    if (volume.startsWith(domainPrefix(lab))) await run([...VIRSH, 'vol-delete', volume, '--pool', 'default'], { timeoutMs: 60_000 });
  }
  let removedNetworks = 0;
  const network = `overlab-${lab}`;
  const info = await run([...VIRSH, 'net-info', network], { timeoutMs: 30_000 });
  if (info.exitCode === 0) {
    await run([...VIRSH, 'net-destroy', network], { timeoutMs: 30_000 });
    await run([...VIRSH, 'net-undefine', network], { timeoutMs: 30_000 });
    removedNetworks++;
  }
  return { domains: removedDomains, networks: removedNetworks };
}
