import createDebug from 'debug';

/**
 * Debug output, switched on with DEBUG=overlab:* (or one namespace such as
 * DEBUG=overlab:provider). Messages are prefixed with the lab and host they
 * concern so that one log can show several labs.
 */
export function debugFor(namespace: 'provider' | 'check' | 'runner' | 'exec' | 'course') {
  return createDebug(`overlab:${namespace}`);
}
