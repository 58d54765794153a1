import { existsSync } from 'node:fs';
import os from 'node:os';
import { debianPackageFor, run } from '../exec.js';
import { OverlabError } from '../errors.js';
import type { ProviderKind } from '../lab/lab-state.js';
import { hasService, type Topology } from '../lab/topology.js';
import { HOST_PATH } from '../providers/netns/namespace-holder.js';

export interface Prerequisite {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** A limit to know about rather than a missing prerequisite: doctor and start do not fail on it. */
  advisory?: boolean;
}

type Probe = () => Promise<Prerequisite>;

/** Run a probe command with the lab hosts' PATH, so that the binaries the lab will run are the ones reported. */
async function tryRun(argv: string[]): Promise<{ ok: boolean; missing: boolean; text: string }> {
  try {
    const result = await run(argv, { timeoutMs: 10_000, env: { PATH: HOST_PATH } });
    return { ok: result.exitCode === 0, missing: false, text: `${result.stdout}${result.stderr}`.trim() };
  } catch {
    return { ok: false, missing: true, text: 'not found' };
  }
}

function tool(name: string, versionArgv: string[]): Probe {
  return async () => {
    const result = await tryRun(versionArgv);
    if (result.missing) return { name, ok: false, detail: 'not found', fix: `apt-get install ${debianPackageFor(versionArgv[0] as string)}` };
    return { name, ok: true, detail: result.text.split('\n')[0] ?? '' };
  };
}

const PROBES: Record<string, Probe> = {
  root: async () => {
    const root = process.getuid?.() === 0;
    return { name: 'root', ok: root, detail: root ? 'running as root' : `running as uid ${process.getuid?.()}`, fix: root ? undefined : 'run overlab with sudo' };
  },
  kernel: async () => ({ name: 'kernel', ok: true, detail: `${os.type()} ${os.release()}` }),
  ip: tool('ip', ['ip', '-V']),
  'ip -json': async () => {
    const result = await tryRun(['ip', '-j', 'link', 'show', 'lo']);
    let ok = false;
    try {
      ok = result.ok && Array.isArray(JSON.parse(result.text));
    } catch {
      ok = false;
    }
    return { name: 'ip -json', ok, detail: ok ? 'JSON output works' : 'ip prints no JSON (-j)', fix: ok ? undefined : 'install iproute2 4.17 or later (apt-get install iproute2)' };
  },
  bridge: tool('bridge', ['bridge', '-V']),
  nsenter: tool('nsenter', ['nsenter', '--version']),
  unshare: tool('unshare', ['unshare', '--version']),
  tini: tool('tini', ['tini', '--version']),
  ping: tool('ping', ['ping', '-V']),
  tcpdump: tool('tcpdump', ['tcpdump', '--version']),
  ethtool: tool('ethtool', ['ethtool', '--version']),
  dockerd: tool('dockerd', ['dockerd', '--version']),
  docker: tool('docker', ['docker', '--version']),
  etcd: tool('etcd', ['etcd', '--version']),
  serf: tool('serf', ['serf', 'version']),
  curl: tool('curl', ['curl', '--version']),
  'docker engine': async () => {
    try {
      const { dockerEngine } = await import('../providers/container/engine.js');
      const version = (await (await dockerEngine()).version()) as { Version?: string; Os?: string; KernelVersion?: string };
      const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'the default engine';
      return { name: 'docker engine', ok: true, detail: `Docker ${version.Version ?? '?'} at ${where} (${version.Os ?? '?'} ${version.KernelVersion ?? ''})` };
    } catch (error) {
      return { name: 'docker engine', ok: false, detail: (error as Error).message, fix: 'start Docker, or set DOCKER_HOST (for the tests: scripts/docker-engine.sh start)' };
    }
  },
  // The container provider builds its host image with debootstrap unless the engine already has it.
  debootstrap: async () => {
    const { hostImageTag } = await import('../providers/container/host-image.js');
    const tag = await hostImageTag();
    const result = await tryRun(['debootstrap', '--version']);
    if (!result.missing) return { name: 'debootstrap', ok: true, detail: `${result.text.split('\n')[0]}; builds ${tag}` };
    return { name: 'debootstrap', ok: false, detail: `not found; needed to build the host image ${tag}`, fix: 'apt-get install debootstrap' };
  },
  // Without IPVS, swarm's service VIPs and published ports do not work. The
  // chapters use container addresses and names only, so this is a limit to
  // know about, not a missing prerequisite.
  ipvs: async () => {
    const loaded = existsSync('/proc/net/ip_vs') || existsSync('/sys/module/ip_vs');
    const probe = loaded ? undefined : await tryRun(['modprobe', '--dry-run', 'ip_vs']);
    const available = loaded || probe?.ok === true;
    return {
      name: 'ipvs',
      ok: available,
      advisory: true,
      detail: available ? `the ip_vs module is ${loaded ? 'loaded' : 'available'}` : 'no ip_vs module: swarm service VIPs and published ports do not work (the chapters do not use them)',
      fix: available ? undefined : 'a kernel with CONFIG_IP_VS, if you want swarm services beyond the course',
    };
  },
  vagrant: tool('vagrant', ['vagrant', '--version']),
  ssh: tool('ssh', ['ssh', '-V']),
  'vagrant-libvirt': async () => {
    if (vagrantProvider() !== 'libvirt') return { name: 'vagrant-libvirt', ok: true, detail: `not needed for OVERLAB_VAGRANT_PROVIDER=${vagrantProvider()}` };
    const result = await tryRun(['vagrant', 'plugin', 'list']);
    const line = result.text.split('\n').find((entry) => entry.startsWith('vagrant-libvirt'));
    return line
      ? { name: 'vagrant-libvirt', ok: true, detail: line }
      : { name: 'vagrant-libvirt', ok: false, detail: 'the plugin is not installed', fix: 'apt-get install vagrant-libvirt (or "vagrant plugin install vagrant-libvirt")' };
  },
  libvirt: async () => {
    if (vagrantProvider() !== 'libvirt') return { name: 'libvirt', ok: true, detail: `not needed for OVERLAB_VAGRANT_PROVIDER=${vagrantProvider()}` };
    const result = await tryRun(['virsh', '--connect', 'qemu:///system', 'version', '--daemon']);
    if (result.ok) return { name: 'libvirt', ok: true, detail: result.text.split('\n').filter(Boolean).slice(-1)[0] ?? 'libvirtd answers' };
    return {
      name: 'libvirt',
      ok: false,
      detail: result.missing ? 'virsh not found' : `libvirtd does not answer: ${result.text.split('\n')[0]}`,
      fix: 'apt-get install libvirt-daemon-system and start libvirtd (for the tests: scripts/libvirt-daemon.sh start)',
    };
  },
  'vagrant box': async () => {
    const { boxName, installedBoxes } = await import('../providers/vagrant/box.js');
    const name = await boxName();
    const boxes = await installedBoxes(vagrantProvider()).catch(() => [] as string[]);
    if (boxes.includes(name)) return { name: 'vagrant box', ok: true, detail: `${name} is installed` };
    if (process.env.OVERLAB_VAGRANT_BOX) return { name: 'vagrant box', ok: true, detail: `${name} is fetched by vagrant on first start` };
    const tools = await Promise.all([tryRun(['debootstrap', '--version']), tryRun(['qemu-img', '--version'])]);
    if (tools.every((result) => !result.missing)) return { name: 'vagrant box', ok: true, detail: `${name} is built on first start (vm/build-box.sh)` };
    return { name: 'vagrant box', ok: false, detail: `no box ${name}, and debootstrap or qemu-img is missing to build it`, fix: 'apt-get install debootstrap qemu-utils, or set OVERLAB_VAGRANT_BOX' };
  },
  // KVM where it works; software emulation (OVERLAB_LIBVIRT_DRIVER=qemu) is
  // many times slower but runs anywhere.
  kvm: async () => {
    const driver = process.env.OVERLAB_LIBVIRT_DRIVER || 'kvm';
    if (driver === 'qemu') return { name: 'kvm', ok: true, advisory: true, detail: 'OVERLAB_LIBVIRT_DRIVER=qemu: software emulation, minutes per lab' };
    // The device can exist where KVM still cannot boot a guest: on the
    // machines the tests run on, a stock guest kernel does not boot under KVM.
    if (existsSync('/dev/kvm')) {
      return { name: 'kvm', ok: true, advisory: true, detail: '/dev/kvm is present; if the VMs do not boot, set OVERLAB_LIBVIRT_DRIVER=qemu for software emulation' };
    }
    return { name: 'kvm', ok: false, advisory: true, detail: '/dev/kvm not found', fix: 'set OVERLAB_LIBVIRT_DRIVER=qemu to use software emulation' };
  },
  vxlan: async () => {
    // A throwaway network namespace: the probe device never exists in the machine's own.
    const result = await tryRun(['unshare', '--net', 'ip', 'link', 'add', 'overlab-probe', 'type', 'vxlan', 'id', '1', 'dstport', '4789']);
    if (result.ok) return { name: 'vxlan', ok: true, detail: 'the kernel creates VXLAN devices' };
    return { name: 'vxlan', ok: false, detail: result.text || 'cannot create a VXLAN device', fix: 'load the module with "modprobe vxlan" (the kernel needs CONFIG_VXLAN)' };
  },
};

function vagrantProvider(): string {
  return process.env.OVERLAB_VAGRANT_PROVIDER || 'libvirt';
}

/** Every prerequisite of the providers and the chapters, with its version. */
export async function collectPrerequisites(names: readonly string[] = Object.keys(PROBES)): Promise<Prerequisite[]> {
  return Promise.all(names.map((name) => (PROBES[name] as Probe)()));
}

/** List the prerequisites a provider needs for every chapter, for doctor and the end-to-end tests. */
export function requiredByProvider(kind: ProviderKind): string[] {
  if (kind === 'container') return ['docker engine', 'debootstrap', 'ipvs'];
  if (kind === 'vagrant') return ['vagrant', 'vagrant-libvirt', 'libvirt', 'ssh', 'vagrant box', 'kvm'];
  return [...new Set([...requiredFor(ALL_SERVICES), 'ipvs'])];
}

const ALL_SERVICES: Topology = {
  name: 'all',
  description: '',
  underlay: { subnet: '10.0.10.0/24', interface: 'eth0' },
  hosts: [{ name: 'all', address: '10.0.10.1/24', services: [{ name: 'docker', args: [] }, { name: 'etcd', args: [] }] }],
};

/** List the prerequisites a netns lab of this topology needs. */
export function requiredFor(topology: Topology): string[] {
  const names = ['root', 'ip', 'ip -json', 'bridge', 'nsenter', 'unshare', 'tini', 'ping', 'tcpdump', 'ethtool', 'vxlan'];
  if (topology.hosts.some((host) => hasService(host, 'docker'))) names.push('dockerd', 'docker');
  // The classic control plane's chapter reads etcd with curl and joins Serf gossip.
  if (topology.hosts.some((host) => hasService(host, 'etcd'))) names.push('etcd', 'curl', 'serf');
  return names;
}

/** Raise the first missing prerequisite of a lab as a one-line error with its fix. */
export async function preflight(topology: Topology): Promise<void> {
  const missing = (await collectPrerequisites(requiredFor(topology))).find((item) => !item.ok && !item.advisory);
  if (!missing) return;
  if (missing.name === 'root') throw new OverlabError('NOT_ROOT', 'overlab needs root to create the lab (namespaces, dockerd)', { hint: 'run it with sudo' });
  throw new OverlabError('MISSING_TOOL', `${missing.name}: ${missing.detail}`, { hint: missing.fix });
}
