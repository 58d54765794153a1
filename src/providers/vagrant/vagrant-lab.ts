import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { labFlag } from '../../lab/lab-name.js';
import type { LabState } from '../../lab/lab-state.js';
import { findHost, hostAddress } from '../../lab/topology.js';
import type { HostDescription, HostExecOptions, RunningLab } from '../provider.js';
import { probeServices } from '../service-recipes.js';
import { inSession, killSession, watchCommand, withoutSetsidNotice } from '../session.js';
import type { SshHosts } from './ssh.js';
import { vagrantSettings } from './vagrant.js';

/**
 * How much longer commands may take on VMs under software emulation: the
 * timeouts of steps and checks are set for hosts that run at the machine's
 * speed, and `docker inspect` alone takes seconds when several run at once
 * on emulated CPUs.
 */
const EMULATION_SLOWDOWN = 5;

/** A running Vagrant lab: commands run on the VMs as root over each VM's SSH connection. */
export class VagrantLab implements RunningLab {
  readonly slowdown: number;

  constructor(
    readonly state: LabState,
    private readonly ssh: SshHosts,
  ) {
    const settings = vagrantSettings();
    this.slowdown = settings.provider === 'libvirt' && settings.libvirtDriver === 'qemu' ? EMULATION_SLOWDOWN : 1;
  }

  async exec(host: string, argv: readonly string[], options: HostExecOptions = {}): Promise<ExecResult> {
    findHost(this.state.topology, host);
    const token = randomBytes(6).toString('hex');
    // The client is stopped through this signal; the command on the VM by
    // killing its session.
    const client = new AbortController();
    const timeoutMs = options.timeoutMs === undefined ? undefined : options.timeoutMs * this.slowdown;
    const watch = watchCommand({ timeoutMs, signal: options.signal }, () => {
      void this.ssh.run(host, killSession(token), { timeoutMs: 10_000 }).finally(() => client.abort());
    });
    const result = await this.ssh.run(host, inSession(token, argv), {
      input: options.input,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
      signal: client.signal,
    });
    watch.dispose();
    const { timedOut, interrupted } = watch;

    // ssh exits with 255 when it cannot reach the VM; the program's own
    // codes pass through.
    if (result.exitCode === 255 && !timedOut && !interrupted && !(await this.ssh.connected(host))) {
      throw new OverlabError('LAB_BROKEN', `host ${host} of lab "${this.state.lab}" cannot be reached over SSH: ${result.stderr.trim().split('\n').pop() ?? ''}`, {
        hint: `run "overlab status${labFlag(this.state.lab)}", or "overlab down${labFlag(this.state.lab)}" and start again`,
      });
    }
    const stderr = timedOut || interrupted ? withoutSetsidNotice(result.stderr) : result.stderr;
    let exitCode = result.exitCode;
    if (timedOut) exitCode = 124;
    else if (interrupted) exitCode = 130;
    return { ...result, command: argv.join(' '), exitCode, stderr, timedOut, interrupted };
  }

  async script(host: string, script: string, options: HostExecOptions = {}): Promise<ExecResult> {
    return this.exec(host, ['bash', '-e', '-c', script], options);
  }

  async interactive(host: string, argv: readonly string[]): Promise<number> {
    findHost(this.state.topology, host);
    const [file, ...args] = this.ssh.command(host, ['env', 'PS1=\\u@\\h:\\w\\$ ', ...argv], process.stdin.isTTY === true);
    const child = spawn(file as string, args, { stdio: 'inherit' });
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  }

  async describe(): Promise<HostDescription[]> {
    return Promise.all(
      this.state.topology.hosts.map(async (host) => {
        const running = await this.ssh.connected(host.name);
        const services = await probeServices(this, host, running);
        return {
          name: host.name,
          address: hostAddress(host),
          running,
          services,
          detail: `VM ${this.state.vagrant?.domainPrefix ?? ''}${host.name} (${this.state.vagrant?.provider ?? 'vagrant'}${running ? '' : ', no SSH connection'})`,
        };
      }),
    );
  }
}
