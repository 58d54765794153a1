/**
 * Readers of iproute2 JSON (`ip -j -d addr`, `ip -j neigh`, `bridge -j fdb`)
 * that smooth over version differences. Facts relied on, from iproute2 6.1:
 * - before 6.4, vxlan `proxy`, `l2miss`, `l3miss` appear in info_data only
 *   when true, so an absent key means off; `learning` is always present;
 * - a neighbour's `state` is an array (["PERMANENT"]), an FDB entry's a
 *   string ("permanent", "" for a learned entry);
 * - an FDB entry's `vni` and `port` appear only when they differ from the
 *   device's own, and `dev`/`ifname` vanish when the output is filtered by
 *   device.
 */

export interface LinkSummary {
  name: string;
  type: string;
  up: boolean;
  mtu: number;
  address: string;
  master?: string;
  ipv4: string[];
  /** Present when the link's other side (or, for a vxlan, its UDP socket) lives in another network namespace. */
  linkNetnsId?: number;
  vxlan?: {
    vni: number;
    dstport: number;
    proxy: boolean;
    learning: boolean;
    l2miss: boolean;
    l3miss: boolean;
    local?: string;
    remote?: string;
    group?: string;
  };
}

interface RawAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
}

interface RawLink {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  address?: string;
  master?: string;
  link_netnsid?: number;
  addr_info?: RawAddrInfo[];
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

/** Parse the output of `ip -j -d addr show [dev X]`. */
export function parseLinks(json: string): LinkSummary[] {
  const raw = JSON.parse(json || '[]') as RawLink[];
  return raw.map((link) => {
    const data = link.linkinfo?.info_data ?? {};
    const summary: LinkSummary = {
      name: link.ifname ?? '',
      type: link.linkinfo?.info_kind ?? 'device',
      up: (link.flags ?? []).includes('UP'),
      mtu: link.mtu ?? 0,
      address: (link.address ?? '').toLowerCase(),
      master: link.master,
      ipv4: (link.addr_info ?? []).filter((info) => info.family === 'inet').map((info) => `${info.local}/${info.prefixlen}`),
      linkNetnsId: link.link_netnsid,
    };
    if (summary.type === 'vxlan') {
      summary.vxlan = {
        vni: Number(data.id),
        dstport: Number(data.port),
        proxy: data.proxy === true,
        learning: data.learning === true,
        l2miss: data.l2miss === true,
        l3miss: data.l3miss === true,
        local: data.local as string | undefined,
        remote: data.remote as string | undefined,
        group: data.group as string | undefined,
      };
    }
    return summary;
  });
}

export interface NeighbourEntry {
  dst: string;
  dev?: string;
  lladdr?: string;
  states: string[];
}

/** Parse the output of `ip -j neigh show [dev X]`. */
export function parseNeighbours(json: string): NeighbourEntry[] {
  const raw = JSON.parse(json || '[]') as { dst?: string; dev?: string; lladdr?: string; state?: string[] | string }[];
  return raw.map((entry) => {
    let states: string[] = [];
    if (Array.isArray(entry.state)) states = entry.state;
    else if (entry.state) states = [entry.state];
    return { dst: entry.dst ?? '', dev: entry.dev, lladdr: entry.lladdr?.toLowerCase(), states };
  });
}

export interface FdbEntry {
  mac: string;
  dev?: string;
  dst?: string;
  vni?: number;
  port?: number;
  self: boolean;
  master?: string;
  /** "permanent", "static", "stale" or "" for an entry learned from traffic. */
  state: string;
}

/** Parse the output of `bridge -j fdb show [dev X]`. */
export function parseFdb(json: string): FdbEntry[] {
  const raw = JSON.parse(json || '[]') as {
    mac?: string;
    ifname?: string;
    dst?: string;
    vni?: number;
    port?: number;
    flags?: string[];
    master?: string;
    state?: string;
  }[];
  return raw.map((entry) => ({
    mac: (entry.mac ?? '').toLowerCase(),
    dev: entry.ifname,
    dst: entry.dst,
    vni: entry.vni,
    port: entry.port,
    self: (entry.flags ?? []).includes('self'),
    master: entry.master,
    state: entry.state ?? '',
  }));
}

/** Text of an FDB entry as `bridge fdb show` prints it, for messages. */
export function formatFdbEntry(entry: FdbEntry): string {
  const parts = [entry.mac];
  if (entry.dst) parts.push(`dst ${entry.dst}`);
  if (entry.vni !== undefined) parts.push(`vni ${entry.vni}`);
  if (entry.port !== undefined) parts.push(`port ${entry.port}`);
  if (entry.self) parts.push('self');
  if (entry.master) parts.push(`master ${entry.master}`);
  if (entry.state) parts.push(entry.state);
  return parts.join(' ');
}
