import { OverlabError } from '../errors.js';
import { findHost } from '../lab/topology.js';
import { labName, providerOf, type LabOptions } from './options.js';

export interface ShellOptions extends LabOptions {
  ns?: string;
}

/** Open an interactive bash on a lab host, or inside one of its named network namespaces. */
export async function shellCommand(host: string, options: ShellOptions): Promise<number> {
  const lab = labName(options);
  const running = await (await providerOf(options, lab)).attach(lab);
  findHost(running.state.topology, host);
  if (options.ns) {
    const exists = await running.exec(host, ['test', '-e', `/var/run/netns/${options.ns}`]);
    if (exists.exitCode !== 0) {
      const list = await running.exec(host, ['ip', 'netns', 'list']);
      const names = list.stdout.split('\n').map((line) => line.split(' ')[0]).filter(Boolean);
      throw new OverlabError('BAD_ARGUMENT', `${host} has no network namespace "${options.ns}"`, {
        hint: names.length > 0 ? `use one of: ${names.join(', ')}` : `${host} has no named namespaces yet (ip netns add creates them)`,
      });
    }
  }
  const argv = options.ns ? ['ip', 'netns', 'exec', options.ns, 'bash', '--norc', '-i'] : ['bash', '--norc', '-i'];
  return running.interactive(host, argv);
}
