import type Dockerode from 'dockerode';
import { LAB_LABEL } from './engine.js';

/** Linux capabilities by number (linux/capability.h, 6.x). */
const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** Decode a /proc/PID/status capability mask ("000001fffeffffff") into capability names. */
export function capabilityNames(mask: string): string[] {
  const bits = BigInt(`0x${mask}`);
  return CAPABILITIES.filter((_name, index) => (bits >> BigInt(index)) & 1n);
}

/** Tell whether the engine rejected a privileged container because a capability is withheld from it. */
export function isCapabilityRefusal(error: unknown): boolean {
  return /unable to apply caps/i.test(String((error as Error)?.message ?? error));
}

/** Return the capability an engine does not know, from its "unknown capability" error (Docker 20.10 has no BPF, PERFMON, CHECKPOINT_RESTORE). */
export function unknownCapability(error: unknown): string | undefined {
  return /unknown capability: "?(?:CAP_)?([A-Z_]+)"?/.exec(String((error as Error)?.message ?? error))?.[1];
}

/**
 * Read the capability bounding set of the engine's machine: PID 1's, seen
 * from a throwaway container in the host PID namespace. A container cannot
 * hold a capability outside it, which is why --privileged (asking for all
 * of them) fails where one is withheld.
 */
export async function engineCapabilities(docker: Dockerode, image: string, lab: string): Promise<string[]> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['cat', '/proc/1/status'],
    Labels: { [LAB_LABEL]: lab },
    HostConfig: { PidMode: 'host', NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    const logs = await container.logs({ stdout: true, stderr: true });
    const mask = /CapBnd:\s*([0-9a-f]+)/.exec(logs.toString('latin1'))?.[1];
    if (!mask) throw new Error(`no CapBnd line in /proc/1/status: ${logs.toString('latin1').slice(0, 200)}`);
    return capabilityNames(mask);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
