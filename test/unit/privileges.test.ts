import { describe, expect, it } from 'vitest';
import { capabilityNames, isCapabilityRefusal, unknownCapability } from '../../src/providers/container/privileges.js';

// Errors as Docker 20.10.24 returned them on a machine whose bounding set lacks CAP_SYS_RESOURCE.
const PRIVILEGED_REFUSED =
  '(HTTP code 500) server error - failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply caps: operation not permitted: unknown';
const UNKNOWN_BPF = '(HTTP code 400) bad parameter - invalid CapAdd: unknown capability: "CAP_BPF" ';

describe('container privileges', () => {
  it('decodes a bounding set without CAP_SYS_RESOURCE', () => {
    // CapBnd of PID 1 on the machine the tests were written on.
    const names = capabilityNames('000001fffeffffff');
    expect(names).toHaveLength(40);
    expect(names).not.toContain('SYS_RESOURCE');
    expect(names).toContain('SYS_ADMIN');
    expect(names).toContain('NET_ADMIN');
    expect(names.at(-1)).toBe('CHECKPOINT_RESTORE');
  });

  it('decodes the full set and an empty one', () => {
    expect(capabilityNames('000001ffffffffff')).toHaveLength(41);
    expect(capabilityNames('0000000000000000')).toEqual([]);
    expect(capabilityNames('0000000000003000')).toEqual(['NET_ADMIN', 'NET_RAW']);
  });

  it('tells a withheld capability from other engine errors', () => {
    expect(isCapabilityRefusal(new Error(PRIVILEGED_REFUSED))).toBe(true);
    expect(isCapabilityRefusal(new Error('(HTTP code 404) no such image - No such image: overlab-host:0'))).toBe(false);
  });

  it('names the capability an engine does not know', () => {
    expect(unknownCapability(new Error(UNKNOWN_BPF))).toBe('BPF');
    expect(unknownCapability(new Error(PRIVILEGED_REFUSED))).toBeUndefined();
  });
});
