import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, '../scripts/docker-engine.sh');
let started = false;

/**
 * Give the container provider's tests a Docker engine: the one DOCKER_HOST
 * names, or else one started by scripts/docker-engine.sh in namespaces of its
 * own (as root on Linux, with dockerd installed). When neither is there,
 * the container tests print why they are skipped, and fail under CI.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DOCKER_HOST) project.provide('dockerHost', process.env.DOCKER_HOST);
  if (process.env.DOCKER_HOST || process.getuid?.() !== 0 || !['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((file) => existsSync(file))) return;
  const { stdout } = await run(SCRIPT, ['start']);
  const host = /^DOCKER_HOST=(\S+)/m.exec(stdout)?.[1];
  if (!host) throw new Error(`scripts/docker-engine.sh start printed no DOCKER_HOST: ${stdout}`);
  // Test workers do not inherit this process's environment: they read it
  // with inject() in test/engine-env.ts.
  project.provide('dockerHost', host);
  started = !stdout.includes('already');
}

export async function teardown(): Promise<void> {
  if (started) await run(SCRIPT, ['stop']);
}

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost?: string;
  }
}
