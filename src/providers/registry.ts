import { OverlabError } from '../errors.js';
import { PROVIDER_KINDS, type ProviderKind } from '../lab/lab-state.js';
import { ContainerProvider } from './container/container-provider.js';
import { NetnsProvider } from './netns/netns-provider.js';
import type { Provider } from './provider.js';
import { VagrantProvider } from './vagrant/vagrant-provider.js';

export function providerFor(kind: string): Provider {
  if (!PROVIDER_KINDS.includes(kind as ProviderKind)) {
    throw new OverlabError('UNKNOWN_PROVIDER', `unknown provider "${kind}"`, { hint: `use --provider ${PROVIDER_KINDS.join(' or ')}` });
  }
  if (kind === 'container') return new ContainerProvider();
  if (kind === 'vagrant') return new VagrantProvider();
  return new NetnsProvider();
}
