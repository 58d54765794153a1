import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec.js';
import { PACKAGE_ROOT } from './paths.js';
import { HOST_PATH } from './providers/netns/namespace-holder.js';

export interface Versions {
  overlab: string;
  kernel: string;
  iproute2: string;
  docker: string;
}

export const OVERLAB_VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Collect the versions of the tools whose behaviour the checks depend on, as the lab hosts run them. */
export async function collectVersions(): Promise<Versions> {
  const firstLine = async (argv: string[]) => {
    const result = await run(argv, { env: { PATH: HOST_PATH } }).catch(() => undefined);
    return result?.exitCode === 0 ? (result.stdout.trim().split('\n')[0] ?? '') : 'not found';
  };
  const [iproute2, docker] = await Promise.all([firstLine(['ip', '-V']), firstLine(['dockerd', '--version'])]);
  return {
    overlab: OVERLAB_VERSION,
    kernel: os.release(),
    iproute2: /iproute2-([\w.-]+?)(,|$)/.exec(iproute2)?.[1] ?? iproute2,
    docker: /version ([\w.+~-]+)/i.exec(docker)?.[1] ?? docker,
  };
}
