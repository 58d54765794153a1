import type { CheckContext } from './check-kind.js';

/**
 * The namespace a check looks in inside a host, from its `in:` key:
 * absent: the host's own network namespace;
 * `NAME`: the named network namespace /var/run/netns/NAME (as `ip netns add` creates);
 * `container NAME`: the network namespace of a Docker container, from its SandboxKey;
 * `overlay NAME`: the namespace Docker keeps for overlay network NAME under
 * /var/run/docker/netns, named `<epoch>-<first 10 characters of the network ID>`.
 */
export type Target =
  | { kind: 'host' }
  | { kind: 'netns'; name: string }
  | { kind: 'container'; name: string }
  | { kind: 'overlay'; name: string };

export function parseTarget(value: unknown): Target {
  if (value === undefined || value === null || value === 'host') return { kind: 'host' };
  const text = String(value).trim();
  const container = /^container\s+(\S+)$/.exec(text);
  if (container) return { kind: 'container', name: container[1] as string };
  const overlay = /^overlay\s+(\S+)$/.exec(text);
  if (overlay) return { kind: 'overlay', name: overlay[1] as string };
  return { kind: 'netns', name: text };
}

export function validateTarget(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(host|(container|overlay) [A-Za-z0-9_.${}-]+|[A-Za-z0-9_.${}-]+)$/.test(value.trim())) {
    return `invalid "in: ${String(value)}" (use a netns name such as overns, "container demo" or "overlay demonet")`;
  }
  return undefined;
}

export function describeTarget(target: Target, host: string): string {
  switch (target.kind) {
    case 'host':
      return host;
    case 'netns':
      return `netns ${target.name} on ${host}`;
    case 'container':
      return `container ${target.name} on ${host}`;
    case 'overlay':
      return `the namespace of overlay ${target.name} on ${host}`;
  }
}

/**
 * Build the argv prefix that runs a command in the target, or describe why
 * the target does not exist (which makes the check fail rather than error).
 */
export async function enterTarget(context: CheckContext, target: Target): Promise<{ prefix: string[] } | { missing: string }> {
  if (target.kind === 'host') return { prefix: [] };
  if (target.kind === 'netns') {
    const path = `/var/run/netns/${target.name}`;
    const exists = await context.exec(['test', '-e', path]);
    if (exists.exitCode !== 0) return { missing: `no network namespace ${target.name} on ${context.host} (ip netns list does not show it)` };
    return { prefix: ['nsenter', `--net=${path}`, '--'] };
  }
  if (target.kind === 'overlay') {
    const path = await overlayNamespacePath(context, target.name);
    if ('missing' in path) return path;
    return { prefix: ['nsenter', `--net=${path.path}`, '--'] };
  }
  const inspect = await context.exec(['docker', 'inspect', '--format', '{{.State.Running}} {{.NetworkSettings.SandboxKey}}', target.name], { timeoutMs: 10_000 });
  // A slow host is not an empty one: a timeout must not read as "no container".
  if (inspect.timedOut) return { missing: `docker inspect ${target.name} on ${context.host} timed out` };
  if (inspect.exitCode !== 0) return { missing: `no container ${target.name} on ${context.host}` };
  const [running, sandbox] = inspect.stdout.trim().split(' ');
  if (running !== 'true' || !sandbox) return { missing: `container ${target.name} on ${context.host} is not running` };
  return { prefix: ['nsenter', `--net=${sandbox}`, '--'] };
}

/**
 * Find the namespace Docker made for an overlay network on this host. It
 * exists only while a container on the host is attached to the network.
 */
export async function overlayNamespacePath(context: CheckContext, network: string): Promise<{ path: string } | { missing: string }> {
  const inspect = await context.exec(['docker', 'network', 'inspect', '--format', '{{.Id}}', network], { timeoutMs: 10_000 });
  if (inspect.exitCode !== 0) return { missing: `no network ${network} on ${context.host}` };
  const prefix = inspect.stdout.trim().slice(0, 10);
  const listing = await context.exec(['ls', '-1', '/var/run/docker/netns']);
  const name = listing.stdout.split('\n').find((entry) => new RegExp(`^\\d+-${prefix}$`).test(entry.trim()));
  if (!name) return { missing: `no namespace for overlay ${network} (…-${prefix}) in /var/run/docker/netns on ${context.host}` };
  return { path: `/var/run/docker/netns/${name.trim()}` };
}
