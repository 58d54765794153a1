import { spawn } from 'node:child_process';
import { run, type ExecResult } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import type { LabState, NamespaceHolder } from '../../lab/lab-state.js';
import { findHost, hostAddress } from '../../lab/topology.js';
import type { HostDescription, HostExecOptions, RunningLab } from '../provider.js';
import { probeServices } from '../service-recipes.js';
import { enterHost, isAlive } from './namespace-holder.js';

/** A running netns lab: commands enter a host's namespaces with nsenter. */
export class NetnsLab implements RunningLab {
  readonly slowdown = 1;

  constructor(readonly state: LabState) {}

  async exec(host: string, argv: readonly string[], options: HostExecOptions = {}): Promise<ExecResult> {
    return run(enterHost(this.holder(host), this.state.lab, host, argv), options);
  }

  async script(host: string, script: string, options: HostExecOptions = {}): Promise<ExecResult> {
    return this.exec(host, ['bash', '-e', '-c', script], options);
  }

  async interactive(host: string, argv: readonly string[]): Promise<number> {
    const [file, ...args] = enterHost(this.holder(host), this.state.lab, host, ['env', 'PS1=\\u@\\h:\\w\\$ ', ...argv]);
    const child = spawn(file as string, args, { stdio: 'inherit' });
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  }

  async describe(): Promise<HostDescription[]> {
    return Promise.all(
      this.state.topology.hosts.map(async (host) => {
        const holder = this.state.hosts[host.name];
        const running = holder !== undefined && (await isAlive(holder, this.state.lab));
        const services = await probeServices(this, host, running);
        return {
          name: host.name,
          address: hostAddress(host),
          running,
          services,
          detail: holder ? `pid ${holder.initPid}` : 'not created',
        };
      }),
    );
  }

  private holder(host: string): NamespaceHolder {
    findHost(this.state.topology, host);
    const holder = this.state.hosts[host];
    if (!holder) throw new OverlabError('LAB_BROKEN', `host ${host} of lab "${this.state.lab}" was never created`, { hint: 'run "overlab down" and start again' });
    return holder;
  }
}
