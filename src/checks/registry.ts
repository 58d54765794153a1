import type { CheckKind } from './check-kind.js';
import { captureCheck } from './kinds/capture.js';
import { fdbCheck } from './kinds/fdb.js';
import { linkCheck } from './kinds/link.js';
import { neighbourCheck } from './kinds/neighbour.js';
import { netnsCheck } from './kinds/netns.js';
import { dockerNetworkCheck } from './kinds/docker-network.js';
import { outputCheck } from './kinds/output.js';
import { pingCheck } from './kinds/ping.js';
import { routeCheck } from './kinds/route.js';
import { vethPeerCheck } from './kinds/veth-peer.js';

/** Every check kind, by the key that names it in a chapter's check block. */
export const CHECK_KINDS: readonly CheckKind<any>[] = [
  netnsCheck,
  linkCheck,
  neighbourCheck,
  fdbCheck,
  routeCheck,
  vethPeerCheck,
  dockerNetworkCheck,
  pingCheck,
  captureCheck,
  outputCheck,
];

export function checkKind(key: string): CheckKind<any> | undefined {
  return CHECK_KINDS.find((kind) => kind.key === key);
}

/** Find the kind a check body is of and validate the body against it. */
export function identifyCheckKind(body: Record<string, unknown>): { kind: string } | { error: string } {
  const kinds = CHECK_KINDS.filter((kind) => kind.key in body);
  if (kinds.length === 0) return { error: `no check kind key (one of: ${CHECK_KINDS.map((kind) => kind.key).join(', ')})` };
  if (kinds.length > 1) return { error: `more than one check kind key (${kinds.map((kind) => kind.key).join(', ')})` };
  const kind = kinds[0] as CheckKind<any>;
  const error = kind.validate(body);
  return error ? { error } : { kind: kind.key };
}
