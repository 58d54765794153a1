import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const ENGINE_SCRIPT = path.resolve(import.meta.dirname, '../scripts/docker-engine.sh');
const LIBVIRT_SCRIPT = path.resolve(import.meta.dirname, '../scripts/libvirt-daemon.sh');
const stops: string[] = [];

/**
 * Give the provider tests their daemons, as root on Linux when the daemons
 * are installed. Without them, those tests print why they are skipped, and
 * fail under CI.
 * - The container provider: the Docker engine that DOCKER_HOST names, or
 *   else one started by scripts/docker-engine.sh in namespaces of its own.
 * - The Vagrant provider: libvirtd started by scripts/libvirt-daemon.sh in a
 *   network namespace of its own, which vagrant and ssh join through
 *   OVERLAB_VAGRANT_NETNS, unless that is set already. Vagrant's boxes go to
 *   a VAGRANT_HOME outside /root, which the tests compare before and after
 *   each lab, and which libvirt's QEMU user could not read.
 */
export async function setup(project: TestProject): Promise<void> {
  const root = process.getuid?.() === 0;
  if (process.env.DOCKER_HOST) project.provide('dockerHost', process.env.DOCKER_HOST);
  else if (root && ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((file) => existsSync(file))) {
    const { stdout } = await run(ENGINE_SCRIPT, ['start']);
    const host = /^DOCKER_HOST=(\S+)/m.exec(stdout)?.[1];
    if (!host) throw new Error(`scripts/docker-engine.sh start printed no DOCKER_HOST: ${stdout}`);
    // Test workers do not inherit this process's environment: they read it
    // with inject() in test/engine-env.ts.
    project.provide('dockerHost', host);
    if (!stdout.includes('already')) stops.push(ENGINE_SCRIPT);
  }

  project.provide('vagrantHome', process.env.VAGRANT_HOME ?? '/var/lib/overlab-vagrant');
  if (process.env.OVERLAB_VAGRANT_NETNS) project.provide('vagrantNetns', process.env.OVERLAB_VAGRANT_NETNS);
  else if (root && ['/usr/bin/vagrant', '/usr/sbin/libvirtd'].every((file) => existsSync(file))) {
    const { stdout } = await run(LIBVIRT_SCRIPT, ['start'], { timeout: 60_000 });
    project.provide('vagrantNetns', stdout.trim().split(/\s/)[0] as string);
    if (!stdout.includes('already')) stops.push(LIBVIRT_SCRIPT);
  }
}

export async function teardown(): Promise<void> {
  for (const script of stops) await run(script, ['stop'], { timeout: 120_000 });
}

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost?: string;
    vagrantHome: string;
    vagrantNetns?: string;
  }
}
