import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { debugFor } from '../../debug.js';
import type { ExecResult } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import type { ContainerHosts, LabState } from '../../lab/lab-state.js';
import { findHost, hostAddress } from '../../lab/topology.js';
import type { HostDescription, HostExecOptions, RunningLab } from '../provider.js';
import { probeServices } from '../service-recipes.js';
import { inSession, killSession, watchCommand, withoutSetsidNotice } from '../session.js';

const debug = debugFor('exec');


/** A running container lab: commands run in the host containers through the engine's exec API. */
export class ContainerLab implements RunningLab {
  readonly slowdown = 1;

  constructor(
    readonly state: LabState,
    private readonly docker: Dockerode,
  ) {}

  async exec(host: string, argv: readonly string[], options: HostExecOptions = {}): Promise<ExecResult> {
    const container = this.docker.getContainer(this.containerId(host));
    const token = randomBytes(6).toString('hex');
    const started = performance.now();
    const exec = await container.exec({
      Cmd: inSession(token, argv),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: options.input !== undefined,
      WorkingDir: '/root',
    });
    const stream = await exec.start({ hijack: true, stdin: options.input !== undefined });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      options.onStdout?.(chunk.toString());
    });
    stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      options.onStderr?.(chunk.toString());
    });
    this.docker.modem.demuxStream(stream, stdout, stderr);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    if (options.input !== undefined) stream.end(options.input);

    const watch = watchCommand(options, () => void this.killSession(container, token));
    await ended;
    // The engine half-closes the connection when the command ends; without
    // this our half stays open and keeps overlab's event loop alive.
    stream.destroy();
    watch.dispose();
    const { timedOut, interrupted } = watch;

    // The stream can end a moment before the engine records the exit code.
    let inspected = await exec.inspect();
    for (let tries = 0; inspected.Running && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      inspected = await exec.inspect();
    }
    if (timedOut || interrupted) err = withoutSetsidNotice(err);
    let exitCode = inspected.ExitCode ?? 128;
    if (timedOut) exitCode = 124;
    else if (interrupted) exitCode = 130;
    const durationMs = performance.now() - started;
    const command = argv.join(' ');
    debug('[%s] %s -> %s in %dms', host, command, exitCode, Math.round(durationMs));
    return { command, exitCode, stdout: out, stderr: err, timedOut, interrupted, durationMs };
  }

  async script(host: string, script: string, options: HostExecOptions = {}): Promise<ExecResult> {
    return this.exec(host, ['bash', '-e', '-c', script], options);
  }

  async interactive(host: string, argv: readonly string[]): Promise<number> {
    // A terminal needs the docker client's TTY handling; the engine it talks
    // to is the one DOCKER_HOST names, as for testcontainers.
    const args = ['exec', '--interactive', '--workdir', '/root'];
    if (process.stdin.isTTY) args.push('--tty');
    const child = spawn('docker', [...args, this.containerId(host), 'env', 'PS1=\\u@\\h:\\w\\$ ', ...argv], { stdio: 'inherit' });
    return new Promise((resolve, reject) => {
      child.on('error', () => reject(new OverlabError('MISSING_TOOL', 'docker (the client) not found; overlab shell runs "docker exec -it"', { hint: 'install the Docker client (Debian: apt-get install docker.io)' })));
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  async describe(): Promise<HostDescription[]> {
    return Promise.all(
      this.state.topology.hosts.map(async (host) => {
        const id = this.hosts().ids[host.name];
        const inspected = id ? await this.docker.getContainer(id).inspect().catch(() => undefined) : undefined;
        const running = inspected?.State.Running === true;
        const services = await probeServices(this, host, running);
        return {
          name: host.name,
          address: hostAddress(host),
          running,
          services,
          detail: inspected ? `container ${inspected.Name.replace(/^\//, '')}, ${this.hosts().privileges === 'privileged' ? 'privileged' : 'all capabilities the engine grants'}` : 'not created',
        };
      }),
    );
  }

  private hosts(): ContainerHosts {
    const hosts = this.state.containers;
    if (!hosts) throw new OverlabError('LAB_BROKEN', `lab "${this.state.lab}" has no containers recorded`, { hint: 'run "overlab down" and start again' });
    return hosts;
  }

  private containerId(host: string): string {
    findHost(this.state.topology, host);
    const id = this.hosts().ids[host];
    if (!id) throw new OverlabError('LAB_BROKEN', `host ${host} of lab "${this.state.lab}" was never created`, { hint: 'run "overlab down" and start again' });
    return id;
  }

  private async killSession(container: Dockerode.Container, token: string): Promise<void> {
    try {
      await execDetached(container, killSession(token));
    } catch {
      // The container has stopped: nothing is left to clean.
    }
  }
}

/** Start a command in a container and return at once, without its output. */
export async function execDetached(container: Dockerode.Container, argv: string[]): Promise<void> {
  const exec = await container.exec({ Cmd: argv });
  // The engine replies to a detached start with an empty HTTP response, which
  // must be consumed, or its socket keeps overlab's event loop alive.
  const response = (await exec.start({ Detach: true })) as unknown as NodeJS.ReadableStream | undefined;
  response?.resume();
}
