import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { LABS_DIR } from '../paths.js';

export type ServiceName = 'docker' | 'etcd';
const SERVICES: readonly ServiceName[] = ['docker', 'etcd'];

/** A daemon a host runs from the start, with extra command-line arguments. */
export interface ServiceSpec {
  name: ServiceName;
  args: string[];
}

export interface HostSpec {
  name: string;
  /** Underlay address with prefix length, e.g. 10.0.10.30/24. */
  address: string;
  services: ServiceSpec[];
}

export interface Topology {
  name: string;
  description: string;
  underlay: { subnet: string; interface: string };
  hosts: HostSpec[];
}

const HOST_NAME = /^[a-z][a-z0-9-]{0,14}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Load and validate labs/<name>.json. */
export async function loadTopology(name: string, dir = LABS_DIR): Promise<Topology> {
  const file = path.join(dir, `${name}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new OverlabError('UNKNOWN_LAB', `topology "${name}" not found in ${dir}`, {
      hint: 'a chapter names its topology in its front matter ("topology: overlay")',
    });
  }
  return parseTopology(JSON.parse(text) as unknown, file);
}

export function parseTopology(raw: unknown, file: string): Topology {
  const fail = (what: string): never => {
    throw new OverlabError('COURSE_SYNTAX', `${file}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('expected a JSON object');
  const value = raw as Record<string, unknown>;
  const hostsRaw = value.hosts;
  if (!Array.isArray(hostsRaw) || hostsRaw.length === 0) fail('"hosts" must be a non-empty array');
  const hosts: HostSpec[] = (hostsRaw as unknown[]).map((entry, index) => {
    const host = entry as Record<string, unknown>;
    const name = String(host.name ?? '');
    if (!HOST_NAME.test(name)) fail(`hosts[${index}].name "${name}" must match ${HOST_NAME}`);
    const address = String(host.address ?? '');
    if (!isCidr(address)) fail(`hosts[${index}].address "${address}" must be an IPv4 address with prefix, e.g. 10.0.10.30/24`);
    const services = ((host.services ?? []) as unknown[]).map((entry): ServiceSpec => {
      // A service is a name, or {"name": ..., "args": [...]}.
      const spec = (typeof entry === 'string' ? { name: entry } : entry) as Record<string, unknown>;
      if (!SERVICES.includes(spec.name as ServiceName)) {
        fail(`hosts[${index}].services: unknown service "${String(spec.name)}" (known: ${SERVICES.join(', ')})`);
      }
      const args = spec.args ?? [];
      if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) fail(`hosts[${index}].services: "args" must be an array of strings`);
      return { name: spec.name as ServiceName, args: args as string[] };
    });
    return { name, address, services };
  });
  const names = new Set<string>();
  for (const host of hosts) {
    if (names.has(host.name)) fail(`host "${host.name}" is defined twice`);
    names.add(host.name);
  }
  const underlay = (value.underlay ?? {}) as Record<string, unknown>;
  return {
    name: String(value.name ?? path.basename(file, '.json')),
    description: String(value.description ?? ''),
    underlay: { subnet: String(underlay.subnet ?? ''), interface: String(underlay.interface ?? 'eth0') },
    hosts,
  };
}

export function isCidr(text: string): boolean {
  const match = CIDR.exec(text);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  return octets.every((octet) => octet <= 255) && Number(match[5]) <= 32;
}

/** Return the host's underlay address without its prefix length. */
export function hostAddress(host: HostSpec): string {
  return host.address.split('/')[0] ?? host.address;
}

export function hasService(host: HostSpec, name: ServiceName): boolean {
  return host.services.some((service) => service.name === name);
}

export function findHost(topology: Topology, name: string): HostSpec {
  const host = topology.hosts.find((candidate) => candidate.name === name);
  if (!host) {
    throw new OverlabError('UNKNOWN_HOST', `host "${name}" is not in lab topology "${topology.name}"`, {
      hint: `use one of: ${topology.hosts.map((candidate) => candidate.name).join(', ')}`,
    });
  }
  return host;
}
