import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { run, type ExecResult, type RunOptions } from '../../exec.js';

/**
 * One SSH connection per VM, kept open between overlab's commands by an
 * OpenSSH control master: each command is a new `ssh` client that sends its
 * channel through the master's socket, with no new handshake. The master is
 * started once, in the background, and `overlab down` ends it.
 */
export class SshHosts {
  /**
   * @param configFile  the output of `vagrant ssh-config` for the lab's VMs
   * @param socketDir   where the masters' sockets go (the lab's directory)
   * @param prefix      a command that ssh runs behind (nsenter into the VMs' network namespace), or []
   */
  constructor(
    private readonly configFile: string,
    private readonly socketDir: string,
    private readonly prefix: readonly string[] = [],
  ) {}

  /** Options of every ssh call. Root logs in with the key Vagrant made: vm/setup-vm.sh allows it. */
  private options(): string[] {
    return [
      '-F',
      this.configFile,
      '-o',
      'User=root',
      '-o',
      `ControlPath=${path.join(this.socketDir, 'ssh-%n')}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=15',
      '-o',
      'ServerAliveInterval=15',
    ];
  }

  /** Return the argv of an ssh client that runs argv on host through the master. */
  command(host: string, argv: readonly string[], terminal = false): string[] {
    // ssh joins its arguments into one string for the remote shell, so each
    // word is quoted here to reach the host's program unchanged.
    return [...this.prefix, 'ssh', ...this.options(), '-o', 'ControlMaster=no', terminal ? '-t' : '-T', host, '--', argv.map(shellQuote).join(' ')];
  }

  async run(host: string, argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    return run(this.command(host, argv), options);
  }

  /** Start the host's master unless one is running. Raises when the VM cannot be reached. */
  async connect(host: string): Promise<void> {
    if (await this.connected(host)) return;
    // -f puts the master in the background once it has logged in. Its
    // output goes to a log, not to pipes, which the background master would
    // hold open after this call returns.
    const log = path.join(this.socketDir, `ssh-${host}.log`);
    const result = await this.control(['-o', 'ControlMaster=yes', '-o', 'ControlPersist=yes', '-E', log, '-f', '-N', host], 60_000);
    if (result.exitCode !== 0 || !(await this.connected(host))) {
      throw new Error(`cannot open an SSH connection to ${host} (ssh exit code ${result.exitCode ?? 'none'}; log in ${log})`);
    }
  }

  async connected(host: string): Promise<boolean> {
    if (!existsSync(path.join(this.socketDir, `ssh-${host}`))) return false;
    return (await this.control(['-O', 'check', host], 10_000)).exitCode === 0;
  }

  /** End the host's master, if it runs. */
  async disconnect(host: string): Promise<void> {
    if (!existsSync(path.join(this.socketDir, `ssh-${host}`))) return;
    await this.control(['-O', 'exit', host], 10_000);
  }

  /** Run ssh without keeping its output, so that a master it starts keeps no pipe of overlab's open. */
  private async control(args: string[], timeout: number): Promise<{ exitCode?: number }> {
    const [file, ...rest] = [...this.prefix, 'ssh', ...this.options(), ...args] as [string, ...string[]];
    return execa(file, rest, { stdio: 'ignore', reject: false, timeout });
  }
}

/** Quote a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
