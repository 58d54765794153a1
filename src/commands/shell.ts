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
  const argv = options.ns ? ['ip', 'netns', 'exec', options.ns, 'bash', '--norc', '-i'] : ['bash', '--norc', '-i'];
  return running.interactive(host, argv);
}
