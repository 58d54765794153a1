import { run } from '../../src/exec.js';
import { BOX_COMMAND_ENV, BOX_PREFIX, boxName, boxVolumePrefix, OVERLAB_BOX_VOLUME_PREFIX, poolVolumes } from '../../src/providers/vagrant/box.js';

const VIRSH = ['virsh', '--connect', 'qemu:///system'];

async function names(argv: string[]): Promise<string[]> {
  const result = await run(argv, { timeoutMs: 60_000 });
  if (result.exitCode !== 0) return [`unavailable: ${argv.join(' ')}`];
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
}


/** List Vagrant's boxes as "NAME (PROVIDER, VERSION)" lines. With no box, vagrant prints a sentence, which is dropped. */
async function boxLines(): Promise<string[]> {
  const result = await run(['vagrant', 'box', 'list'], { timeoutMs: 60_000, env: BOX_COMMAND_ENV });
  return result.stdout
    .split('\n')
    .filter((line) => /^\S+ +\(/.test(line))
    .sort();
}

/**
 * List libvirt's domains, networks and volumes and Vagrant's boxes, to
 * compare before and after a lab. overlab's boxes and their copies in
 * libvirt's pool are left out: the first start builds the box, and it
 * removes boxes built from an older vm/ directory. staleBoxes() checks them.
 */
export async function libvirtSnapshot(): Promise<Record<string, string>> {
  return {
    libvirtDomains: (await names([...VIRSH, 'list', '--all', '--name'])).join(','),
    libvirtNetworks: (await names([...VIRSH, 'net-list', '--all', '--name'])).join(','),
    libvirtVolumes: (await poolVolumes())
      .filter((name) => !name.startsWith(OVERLAB_BOX_VOLUME_PREFIX))
      .sort()
      .join(','),
    vagrantBoxes: (await boxLines()).filter((line) => !line.startsWith(BOX_PREFIX)).join('\n'),
  };
}

/** List overlab boxes, and their volumes in libvirt's pool, other than the current box. */
export async function staleBoxes(): Promise<string[]> {
  const box = await boxName();
  return [
    ...(await boxLines()).filter((line) => line.startsWith(BOX_PREFIX) && !line.startsWith(`${box} `)).map((line) => `box ${line}`),
    ...(await poolVolumes())
      .filter((name) => name.startsWith(OVERLAB_BOX_VOLUME_PREFIX) && !name.startsWith(boxVolumePrefix(box)))
      .map((name) => `volume ${name}`),
  ];
}

/** Domains, networks and volumes named after the lab. */
export async function libvirtLeftovers(lab: string): Promise<string[]> {
  const prefix = `overlab-${lab}-`;
  return [
    ...(await names([...VIRSH, 'list', '--all', '--name'])).filter((name) => name.startsWith(prefix)).map((name) => `domain ${name}`),
    ...(await names([...VIRSH, 'net-list', '--all', '--name'])).filter((name) => name === `overlab-${lab}`).map((name) => `network ${name}`),
    ...(await poolVolumes()).filter((name) => name.startsWith(prefix)).map((name) => `volume ${name}`),
  ];
}
