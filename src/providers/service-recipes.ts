import { OverlabError } from '../errors.js';
import { hasService, hostAddress, type HostSpec, type ServiceName, type ServiceSpec, type Topology } from '../lab/topology.js';
import type { RunningLab } from './provider.js';

/** How to start a lab service on a host and how to tell that it is ready; the same on every provider. */
export interface ServiceRecipe {
  /** The daemon's argv; `extra` contains provider-specific flags placed before the topology's own. */
  argv(host: HostSpec, spec: ServiceSpec, extra?: readonly string[]): string[];
  /** Exits 0 once the service accepts requests. */
  probe: string[];
}

export const SERVICE_RECIPES: Record<ServiceName, ServiceRecipe> = {
  // dockerd with the default socket and paths of the host; it starts its own containerd.
  docker: {
    argv: (_host, spec, extra = []) => ['dockerd', ...extra, ...spec.args],
    probe: ['docker', 'version', '--format', '{{.Server.Version}}'],
  },
  // etcd 3.4 with the v2 API that Docker 20.10's libkv store speaks; 3.4
  // turned the v2 API off by default.
  etcd: {
    argv: (host, spec, extra = []) => {
      const address = hostAddress(host);
      return [
        'etcd',
        `--name=${host.name}`,
        '--data-dir=/var/lib/etcd/overlab',
        '--enable-v2=true',
        `--listen-client-urls=http://${address}:2379,http://127.0.0.1:2379`,
        `--advertise-client-urls=http://${address}:2379`,
        '--listen-peer-urls=http://127.0.0.1:2380',
        '--initial-advertise-peer-urls=http://127.0.0.1:2380',
        `--initial-cluster=${host.name}=http://127.0.0.1:2380`,
        ...extra,
        ...spec.args,
      ];
    },
    probe: ['curl', '--silent', '--fail', '--max-time', '2', 'http://127.0.0.1:2379/health'],
  },
};

/** Services in start order: a dockerd given --cluster-store connects to etcd at start-up. */
export const SERVICE_ORDER: readonly ServiceName[] = ['etcd', 'docker'];

/** Return the process name that `pgrep --exact` finds for a service. */
export function serviceProcess(service: ServiceName): string {
  return service === 'docker' ? 'dockerd' : service;
}

/** Report whether each service of a host runs; none does on a host that is down. */
export async function probeServices(lab: RunningLab, host: HostSpec, hostRunning: boolean): Promise<{ name: ServiceName; running: boolean }[]> {
  return Promise.all(
    host.services.map(async (service) => {
      const probe = hostRunning ? await lab.exec(host.name, ['pgrep', '--exact', serviceProcess(service.name)], { timeoutMs: 5_000 }) : undefined;
      return { name: service.name, running: probe?.exitCode === 0 };
    }),
  );
}

/**
 * Make the `debian` image that the course's `docker run` commands use, in a
 * host whose dockerd runs, from the host's own programs (vm/lab-image.sh):
 * nothing is pulled. Hosts built by vm/build-rootfs.sh have the tarball
 * made already; a VM from another box makes it here.
 */
export const IMPORT_LAB_IMAGE = [
  'bash',
  '-o',
  'pipefail',
  '-c',
  'tar=/usr/local/lib/overlab/lab-image.tar; { if [ -f $tar ]; then cat $tar; else bash /usr/local/lib/overlab/vm/lab-image.sh; fi; } | docker import --message "overlab lab image" - debian',
];

/** Wait until the probe of a service that provisioning started succeeds. */
export async function waitForService(lab: RunningLab, host: string, service: ServiceName, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await lab.exec(host, SERVICE_RECIPES[service].probe, { timeoutMs: 5_000 });
    if (result.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new OverlabError('PROVISION_FAILED', `${service} on ${host} did not start within ${timeoutMs / 1000} s`, {
    hint: `read its log with "overlab shell ${host}" and "cat /var/log/overlab/${service}.log"`,
  });
}

/** Run a provisioning command on a host; a non-zero exit raises with the end of its output. */
export async function mustRun(lab: RunningLab, host: string, argv: string[], timeoutMs = 120_000): Promise<void> {
  const result = await lab.exec(host, argv, { timeoutMs });
  if (result.exitCode !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new OverlabError('PROVISION_FAILED', `${argv.slice(0, 3).join(' ')} on ${host} failed with exit code ${result.exitCode}: ${detail}`);
  }
}

/**
 * Start every service of the topology in SERVICE_ORDER, on all its hosts at
 * once, wait until each probe succeeds, and make the lab image where dockerd runs.
 * `start` launches one service on one host, detached.
 */
export async function startServices(
  lab: RunningLab,
  topology: Topology,
  progress: (message: string) => void,
  start: (host: HostSpec, spec: ServiceSpec) => Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  for (const service of SERVICE_ORDER) {
    const hosts = topology.hosts.filter((host) => hasService(host, service));
    if (hosts.length === 0) continue;
    progress(`starting ${service === 'docker' ? 'dockerd' : service} on ${hosts.map((host) => host.name).join(', ')}`);
    await Promise.all(
      hosts.map(async (host) => {
        await start(host, host.services.find((candidate) => candidate.name === service) as ServiceSpec);
        await waitForService(lab, host.name, service, timeoutMs);
        if (service === 'docker') await mustRun(lab, host.name, IMPORT_LAB_IMAGE, timeoutMs * 2);
      }),
    );
  }
}
