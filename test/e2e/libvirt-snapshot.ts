import { run } from '../../src/exec.js';
import { BOX_COMMAND_ENV, boxName, poolVolumes } from '../../src/providers/vagrant/box.js';

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

/**
 * List libvirt's domains, networks and volumes and Vagrant's boxes, to
 * compare before and after a lab. A Vagrant lab may leave nothing but
 * overlab's box and its copy in libvirt's pool, made the first time.
 */
export async function libvirtSnapshot(): Promise<Record<string, string>> {
  const box = await boxName();
  const boxVolume = `${box.replace('/', '-VAGRANTSLASH-')}_vagrant_box_image_`;
  // Box lines read "NAME (PROVIDER, VERSION)"; with no box, vagrant prints a sentence instead.
  const boxes = (await run(['vagrant', 'box', 'list'], { timeoutMs: 60_000, env: BOX_COMMAND_ENV })).stdout
    .split('\n')
    .filter((line) => /^\S+ +\(/.test(line) && !line.startsWith(`${box} `))
    .sort();
  return {
    libvirtDomains: (await names([...VIRSH, 'list', '--all', '--name'])).join(','),
    libvirtNetworks: (await names([...VIRSH, 'net-list', '--all', '--name'])).join(','),
    libvirtVolumes: (await poolVolumes())
      .filter((name) => !name.startsWith(boxVolume))
      .sort()
      .join(','),
    vagrantBoxes: boxes.join('\n'),
  };
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
