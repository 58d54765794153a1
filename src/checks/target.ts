import type { CheckContext } from './check-kind.js';

/**
 * The namespace a check looks in inside a host, from its `in:` key:
 * absent: the host's own network namespace;
 * `NAME`: the named network namespace /var/run/netns/NAME (as `ip netns add` creates);
 * `container NAME`: the network namespace of a Docker container, from its SandboxKey.
 */
export type Target = { kind: 'host' } | { kind: 'netns'; name: string } | { kind: 'container'; name: string };

export function parseTarget(value: unknown): Target {
  if (value === undefined || value === null || value === 'host') return { kind: 'host' };
  const text = String(value).trim();
  const container = /^container\s+(\S+)$/.exec(text);
  if (container) return { kind: 'container', name: container[1] as string };
  return { kind: 'netns', name: text };
}

export function validateTarget(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(host|container [A-Za-z0-9_.-]+|[A-Za-z0-9_.-]+)$/.test(value.trim())) {
    return `invalid "in: ${String(value)}" (use a netns name such as overns, or "container demo")`;
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
  const inspect = await context.exec(['docker', 'inspect', '--format', '{{.State.Running}} {{.NetworkSettings.SandboxKey}}', target.name], { timeoutMs: 10_000 });
  if (inspect.exitCode !== 0) return { missing: `no container ${target.name} on ${context.host}` };
  const [running, sandbox] = inspect.stdout.trim().split(' ');
  if (running !== 'true' || !sandbox) return { missing: `container ${target.name} on ${context.host} is not running` };
  return { prefix: ['nsenter', `--net=${sandbox}`, '--'] };
}
