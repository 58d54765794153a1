import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { labDir } from '../paths.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Topology } from './topology.js';

export type ProviderKind = 'netns' | 'container' | 'vagrant';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['netns', 'container', 'vagrant'];

/** A process that holds a lab host's namespaces. */
export interface NamespaceHolder {
  /** The unshare process that created the namespaces. */
  launcherPid: number;
  /** PID 1 of the host's PID namespace: killing it ends every process of the host. */
  initPid: number;
}

export interface LabState {
  version: 1;
  lab: string;
  provider: ProviderKind;
  topology: Topology;
  createdAt: string;
  /** "provisioning" until every host and service is up. */
  status: 'provisioning' | 'up';
  underlay?: NamespaceHolder;
  /** netns provider: each host's namespace holder. */
  hosts: Record<string, NamespaceHolder>;
  /** container provider: the hosts' containers and how they were given privileges. */
  containers?: ContainerHosts;
  /** vagrant provider: how the VMs were made. */
  vagrant?: VagrantHosts;
}

export interface ContainerHosts {
  /** The underlay network's name. */
  network: string;
  /** Container ID by host name. */
  ids: Record<string, string>;
  /** "privileged", or "capabilities" when the engine rejected --privileged. */
  privileges: 'privileged' | 'capabilities';
  /** DOCKER_HOST when the lab was created, or "" for testcontainers' default: the lab lives in that engine. */
  engine: string;
}

export interface VagrantHosts {
  /** Vagrant's provider: libvirt or virtualbox. */
  provider: string;
  box: string;
  /** The VMs' names are this prefix and the host's name. */
  domainPrefix: string;
}

/** Return the state of a lab that is about to be provisioned. */
export function newLabState(lab: string, provider: ProviderKind, topology: Topology): LabState {
  return { version: 1, lab, provider, topology, createdAt: new Date().toISOString(), status: 'provisioning', hosts: {} };
}

export function stateFile(lab: string): string {
  return path.join(labDir(lab), 'state.json');
}

export async function readLabState(lab: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(lab), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as LabState;
    if (state.version !== 1 || typeof state.hosts !== 'object') throw new Error('unexpected shape');
    return state;
  } catch {
    const aside = `${stateFile(lab)}.corrupt-${Date.now()}`;
    await rename(stateFile(lab), aside);
    throw new OverlabError('LAB_BROKEN', `lab "${lab}" has an unreadable state file (moved to ${aside})`, {
      hint: `run "overlab down --lab ${lab}" to remove what is left of the lab`,
    });
  }
}

export async function writeLabState(state: LabState): Promise<void> {
  await writeFileAtomic(stateFile(state.lab), `${JSON.stringify(state, null, 2)}\n`);
}
