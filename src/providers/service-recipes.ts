import { hostAddress, type HostSpec, type ServiceName, type ServiceSpec } from '../lab/topology.js';
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
