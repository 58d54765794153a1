import { readdir, readFile } from 'node:fs/promises';
import { run } from '../../src/exec.js';
import type { ProviderKind } from '../../src/lab/lab-state.js';
import { engineSnapshot } from './engine-snapshot.js';
import { libvirtSnapshot } from './libvirt-snapshot.js';

/**
 * What a lab must never change on the machine: the root network
 * namespace's links, addresses, routes and firewall rules, the named
 * namespaces, and the directories that lab hosts mount over (a write that
 * missed its host's mount would land there). Address lifetimes are dropped
 * because DHCP leases count down on their own.
 */
export async function snapshotMachine(kind: ProviderKind = 'netns'): Promise<Record<string, string>> {
  const read = async (argv: string[]) => {
    const result = await run(argv).catch(() => undefined);
    return result && result.exitCode === 0 ? result.stdout : `unavailable: ${argv.join(' ')}`;
  };
  const addresses = JSON.parse(await read(['ip', '-j', 'addr'])) as { addr_info?: Record<string, unknown>[] }[];
  for (const link of addresses) {
    for (const info of link.addr_info ?? []) {
      delete info.valid_life_time;
      delete info.preferred_life_time;
    }
  }
  return {
    ...(kind === 'container' ? await engineSnapshot() : {}),
    ...(kind === 'vagrant' ? await libvirtSnapshot() : {}),
    links: await read(['ip', '-j', '-d', 'link']),
    addresses: JSON.stringify(addresses),
    routes: await read(['ip', '-j', 'route', 'show', 'table', 'all']),
    routes6: await read(['ip', '-j', '-6', 'route', 'show', 'table', 'all']),
    rules: await read(['ip', '-j', 'rule']),
    iptables: (await read(['iptables-save'])).replace(/^#.*$/gm, ''),
    nftables: await read(['nft', 'list', 'ruleset']),
    // Only entries for the lab's own address ranges: the machine's real
    // neighbours come and go with its own traffic.
    neighbours: (JSON.parse(await read(['ip', '-j', 'neigh', 'show'])) as { dst?: string; dev?: string; lladdr?: string }[])
      .filter((entry) => /^(10\.0\.10\.|192\.168\.0\.|172\.1[78]\.)/.test(entry.dst ?? ''))
      .map((entry) => `${entry.dst} ${entry.dev} ${entry.lladdr ?? ''}`)
      .sort()
      .join('\n'),
    netns: (await readdir('/run/netns').catch(() => [] as string[])).sort().join(','),
    files: (
      await Promise.all(
        ['/root', '/var/lib/docker', '/etc/docker', '/var/lib/etcd'].map(async (dir) => `${dir}: ${(await readdir(dir).catch(() => ['(missing)'])).sort().join(',')}`),
      )
    ).join('\n'),
  };
}

/** Mount points whose source names the lab (every tmpfs a lab host mounts does). */
export async function labMounts(lab: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').filter((line) => line.includes(`overlab-${lab} `) || line.includes(`/overlab/labs/${lab}`));
}

/** Cgroup directories named after the lab, in any hierarchy. */
export async function labCgroups(lab: string): Promise<string[]> {
  const found: string[] = [];
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((name) => `/sys/fs/cgroup/${name}`)];
  for (const root of roots) {
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (name.startsWith(`overlab-${lab}-`)) found.push(`${root}/${name}`);
    }
  }
  return found;
}

/** PIDs of processes marked as belonging to a lab whose name starts with the prefix. */
export async function labProcessesWithPrefix(prefix: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').some((variable) => variable.startsWith(`OVERLAB_LAB=${prefix}`))) pids.push(pid);
  }
  return pids;
}
