import os from 'node:os';
import type { Writable } from 'node:stream';
import { debianPackageFor, run } from '../exec.js';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../errors.js';
import { HOST_PATH } from '../providers/netns/namespace-holder.js';

export interface Prerequisite {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

async function tryRun(argv: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    // The PATH of a lab host: report the binaries the lab will run.
    const result = await run(argv, { timeoutMs: 10_000, env: { PATH: HOST_PATH } });
    return { ok: result.exitCode === 0, text: `${result.stdout}${result.stderr}`.trim() };
  } catch {
    return { ok: false, text: 'not found' };
  }
}

function tool(name: string, versionArgv: string[], pick: (text: string) => string = (text) => text.split('\n')[0] ?? '') {
  return async (): Promise<Prerequisite> => {
    const result = await tryRun(versionArgv);
    return result.text === 'not found'
      ? { name, ok: false, detail: 'not found', fix: `apt-get install ${debianPackageFor(versionArgv[0] as string)}` }
      : { name, ok: true, detail: pick(result.text) };
  };
}

/** Every prerequisite of the netns provider and the chapters, with its version. */
export async function collectPrerequisites(): Promise<Prerequisite[]> {
  const probes: (() => Promise<Prerequisite>)[] = [
    async () => {
      const root = process.getuid?.() === 0;
      return { name: 'root', ok: root, detail: root ? 'running as root' : `running as uid ${process.getuid?.()}`, fix: root ? undefined : 'run overlab with sudo' };
    },
    async () => ({ name: 'kernel', ok: true, detail: `${os.type()} ${os.release()}` }),
    tool('ip', ['ip', '-V']),
    async () => {
      const result = await tryRun(['ip', '-j', 'link', 'show', 'lo']);
      let ok = false;
      try {
        ok = result.ok && Array.isArray(JSON.parse(result.text));
      } catch {
        ok = false;
      }
      return { name: 'ip -json', ok, detail: ok ? 'JSON output works' : 'no JSON output', fix: ok ? undefined : 'install iproute2 4.17 or later' };
    },
    tool('bridge', ['bridge', '-V']),
    tool('nsenter', ['nsenter', '--version']),
    tool('unshare', ['unshare', '--version']),
    tool('tini', ['tini', '--version']),
    tool('dockerd', ['dockerd', '--version']),
    tool('docker', ['docker', '--version']),
    tool('tcpdump', ['tcpdump', '--version']),
    tool('ethtool', ['ethtool', '--version']),
    tool('ping', ['ping', '-V']),
    async () => {
      // A throwaway network namespace: the probe device never exists in the machine's own.
      const result = await tryRun(['unshare', '--net', 'ip', 'link', 'add', 'overlab-probe', 'type', 'vxlan', 'id', '1', 'dstport', '4789']);
      return result.ok
        ? { name: 'vxlan', ok: true, detail: 'the kernel creates VXLAN devices' }
        : { name: 'vxlan', ok: false, detail: result.text || 'cannot create a VXLAN device', fix: 'load the module with "modprobe vxlan" (needs a kernel built with CONFIG_VXLAN)' };
    },
  ];
  return Promise.all(probes.map((probe) => probe()));
}

export async function doctorCommand(output: Writable): Promise<number> {
  const prerequisites = await collectPrerequisites();
  for (const item of prerequisites) {
    output.write(`${item.ok ? 'ok     ' : 'MISSING'} ${item.name.padEnd(9)} ${item.detail}${item.fix ? `  -> ${item.fix}` : ''}\n`);
  }
  return prerequisites.every((item) => item.ok) ? EXIT_OK : EXIT_CANNOT_RUN;
}
