import type { HostVars } from '../course/chapter.js';
import { hostAddress, type Topology } from '../lab/topology.js';

/**
 * Variables a check on `host` can use: the chapter's variables for that
 * host, plus `host` and `underlay_ip` for every host of the topology.
 * `${peer.container_ip}` reads `container_ip` of the host named by `${peer}`.
 */
export function hostVariables(topology: Topology, chapterVars: Record<string, HostVars>): Record<string, HostVars> {
  const all: Record<string, HostVars> = {};
  for (const host of topology.hosts) {
    all[host.name] = { host: host.name, underlay_ip: hostAddress(host), ...(chapterVars[host.name] ?? {}) };
  }
  return all;
}

const REFERENCE = /\$\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}/g;

export class TemplateError extends Error {}

/** Replace ${name} and ${hostvar.name} in every string of a YAML value. */
export function resolveTemplates(value: unknown, host: string, vars: Record<string, HostVars>): unknown {
  if (typeof value === 'string') return resolveString(value, host, vars);
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, host, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTemplates(item, host, vars)]));
  }
  return value;
}

function resolveString(text: string, host: string, vars: Record<string, HostVars>): string {
  return text.replace(REFERENCE, (_match, first: string, second: string | undefined) => {
    const own = vars[host] ?? {};
    if (second === undefined) {
      const value = own[first];
      if (value === undefined) throw new TemplateError(`\${${first}} is not defined for ${host}`);
      return value;
    }
    const other = own[first];
    if (other === undefined) throw new TemplateError(`\${${first}} is not defined for ${host}`);
    const value = vars[other]?.[second];
    if (value === undefined) throw new TemplateError(`\${${first}.${second}}: ${other} has no ${second}`);
    return value;
  });
}
