import { closeSync, createReadStream, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { run } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import type { NamespaceHolder } from '../../lab/lab-state.js';
import type { HostSpec, ServiceName, ServiceSpec } from '../../lab/topology.js';
import { SERVICE_RECIPES } from '../service-recipes.js';
import { labDir } from '../../paths.js';
import { enterHost } from './namespace-holder.js';
import { LAB_IMAGE_NAME, type LabImage } from './lab-image.js';

/**
 * Cgroup parent for a host's containers. Naming it after the lab lets
 * `overlab down` remove the cgroups that runc leaves behind when a host is
 * killed rather than stopped.
 */
export function cgroupParent(lab: string, host: string): string {
  return `overlab-${lab}-${host}`;
}

export function serviceLogFile(lab: string, host: string, service: ServiceName): string {
  return path.join(labDir(lab), 'logs', `${host}-${service}.log`);
}

/** Start a service inside a host, detached, with its output in the lab's log directory. */
export async function startService(lab: string, host: HostSpec, holder: NamespaceHolder, spec: ServiceSpec): Promise<void> {
  const log = openSync(serviceLogFile(lab, host.name, spec.name), 'a');
  try {
    const [file, ...args] = enterHost(holder, lab, host.name, spec.name === 'docker' ? SERVICE_RECIPES.docker.argv(host, spec, [`--cgroup-parent=/${cgroupParent(lab, host.name)}`]) : SERVICE_RECIPES[spec.name].argv(host, spec));
    const child = spawn(file as string, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
  } finally {
    closeSync(log);
  }
}

/** Wait until a service on a host accepts requests. */
export async function waitForService(lab: string, host: string, holder: NamespaceHolder, service: ServiceName, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probe = enterHost(holder, lab, host, SERVICE_RECIPES[service].probe);
  while (Date.now() < deadline) {
    const result = await run(probe, { timeoutMs: 5_000 });
    if (result.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new OverlabError('PROVISION_FAILED', `${service} on ${host} did not start within ${timeoutMs / 1000} s`, {
    hint: `read ${serviceLogFile(lab, host, service)}`,
  });
}

/** Load the locally built image into the host's daemon under the name the course uses. */
export async function importLabImage(lab: string, host: string, holder: NamespaceHolder, image: LabImage): Promise<void> {
  const [file, ...args] = enterHost(holder, lab, host, [
    'docker',
    'import',
    '--message',
    `overlab lab image ${image.digest}`,
    '-',
    LAB_IMAGE_NAME,
  ]);
  const child = spawn(file as string, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  createReadStream(image.tarball).pipe(child.stdin);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? 1)));
  if (code !== 0) {
    throw new OverlabError('PROVISION_FAILED', `importing the lab image on ${host} failed: ${stderr.trim()}`);
  }
}
