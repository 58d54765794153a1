import os from 'node:os';
import { debianPackageFor, run } from '../exec.js';
import { OverlabError } from '../errors.js';
import { hasService, type Topology } from '../lab/topology.js';
import { HOST_PATH } from '../providers/netns/namespace-holder.js';

export interface Prerequisite {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
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
  vxlan: async () => {
    // A throwaway network namespace: the probe device never exists in the machine's own.
    const result = await tryRun(['unshare', '--net', 'ip', 'link', 'add', 'overlab-probe', 'type', 'vxlan', 'id', '1', 'dstport', '4789']);
    if (result.ok) return { name: 'vxlan', ok: true, detail: 'the kernel creates VXLAN devices' };
    return { name: 'vxlan', ok: false, detail: result.text || 'cannot create a VXLAN device', fix: 'load the module with "modprobe vxlan" (the kernel needs CONFIG_VXLAN)' };
  },
};

/** Every prerequisite of the netns provider and the chapters, with its version. */
export async function collectPrerequisites(names: readonly string[] = Object.keys(PROBES)): Promise<Prerequisite[]> {
  return Promise.all(names.map((name) => (PROBES[name] as Probe)()));
}

/** List the prerequisites a lab of this topology needs. */
export function requiredFor(topology: Topology): string[] {
  const names = ['root', 'ip', 'ip -json', 'bridge', 'nsenter', 'unshare', 'tini', 'ping', 'tcpdump', 'ethtool', 'vxlan'];
  if (topology.hosts.some((host) => hasService(host, 'docker'))) names.push('dockerd', 'docker');
  // The classic control plane's chapter reads etcd with curl and joins Serf gossip.
  if (topology.hosts.some((host) => hasService(host, 'etcd'))) names.push('etcd', 'curl', 'serf');
  return names;
}

/** Raise the first missing prerequisite of a lab as a one-line error with its fix. */
export async function preflight(topology: Topology): Promise<void> {
  const missing = (await collectPrerequisites(requiredFor(topology))).find((item) => !item.ok);
  if (!missing) return;
  if (missing.name === 'root') throw new OverlabError('NOT_ROOT', 'overlab needs root to create the lab (namespaces, dockerd)', { hint: 'run it with sudo' });
  throw new OverlabError('MISSING_TOOL', `${missing.name}: ${missing.detail}`, { hint: missing.fix });
}
