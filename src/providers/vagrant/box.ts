import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { debugFor } from '../../debug.js';
import { run, runOk } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { buildInVmDir, canDebootstrap, vmDigest } from '../vm-build.js';
import { vagrantSettings } from './vagrant.js';

const debug = debugFor('provider');
export const BOX_PREFIX = 'overlab/host-';

/** Return the box the VMs boot: OVERLAB_VAGRANT_BOX, or overlab's own, named after a digest of vm/. */
export async function boxName(): Promise<string> {
  return vagrantSettings().box ?? `${BOX_PREFIX}${await vmDigest('vagrant box')}`;
}

/**
 * The environment of `vagrant box` commands. Run where a Vagrantfile is
 * found (overlab's own checkout), vagrant makes a .vagrant directory there.
 */
export const BOX_COMMAND_ENV = { VAGRANT_CWD: os.tmpdir() };

/** List the boxes Vagrant has (in VAGRANT_HOME) for a provider. */
export async function installedBoxes(provider: string): Promise<string[]> {
  const result = await runOk(['vagrant', 'box', 'list', '--machine-readable'], { timeoutMs: 60_000, env: BOX_COMMAND_ENV });
  // Lines are "time,target,type,data": a box-name line, then its box-provider line.
  const boxes: string[] = [];
  let name: string | undefined;
  for (const line of result.stdout.split('\n')) {
    const [, , type, data] = line.split(',');
    if (type === 'box-name') name = data;
    if (type === 'box-provider' && data === provider && name) boxes.push(name);
  }
  return boxes;
}

/**
 * Return the box to boot, building overlab's own with vm/build-box.sh and
 * adding it to Vagrant first if it is not there, after removing overlab's
 * boxes of an earlier vm/. A box named in OVERLAB_VAGRANT_BOX is left to
 * Vagrant, which fetches it from its catalogue.
 */
export async function ensureBox(onProgress: (message: string) => void, signal?: AbortSignal): Promise<string> {
  const settings = vagrantSettings();
  const name = await boxName();
  if (settings.box) return name;
  const boxes = await installedBoxes(settings.provider);
  await removeOlderBoxes(name, boxes.filter((box) => box.startsWith(BOX_PREFIX) && box !== name));
  if (boxes.includes(name)) return name;
  if (settings.provider !== 'libvirt') {
    throw new OverlabError('MISSING_TOOL', `overlab builds its box for libvirt only, and Vagrant has no box for ${settings.provider}`, {
      hint: 'set OVERLAB_VAGRANT_BOX to a Debian 12 box for that provider (debian/bookworm64), or use OVERLAB_VAGRANT_PROVIDER=libvirt',
    });
  }
  if (!canDebootstrap() || !['/usr/bin/qemu-img', '/usr/sbin/mkfs.ext4', '/sbin/mkfs.ext4'].some((file) => existsSync(file))) {
    throw new OverlabError('MISSING_TOOL', `Vagrant has no box ${name} and this machine cannot build it`, {
      hint: 'run as root with debootstrap and qemu-utils installed (apt-get install debootstrap qemu-utils), or set OVERLAB_VAGRANT_BOX to a Debian 12 box',
    });
  }

  onProgress(`building the Vagrant box ${name} with debootstrap (once; about three minutes)`);
  const started = performance.now();
  await buildInVmDir('build-box.sh', 'overlab.box', async (file) => {
    // Added through a catalogue entry of its own so that the box has a
    // version: Vagrant warns on every start about a box without one.
    const catalogue = path.join(path.dirname(file), 'catalogue.json');
    const providers = [{ name: 'libvirt', url: pathToFileURL(file).href }];
    await writeFile(catalogue, JSON.stringify({ name, versions: [{ version: '1', providers }] }));
    await runOk(['vagrant', 'box', 'add', '--force', catalogue], { timeoutMs: 10 * 60_000, env: BOX_COMMAND_ENV, signal });
  }, signal);
  debug('box %s built in %dms', name, Math.round(performance.now() - started));
  return name;
}

/** vagrant-libvirt names a box's volumes in libvirt's pool after the box, with "/" spelt VAGRANTSLASH. */
const poolName = (box: string): string => box.replace('/', '-VAGRANTSLASH-');
export const boxVolumePrefix = (box: string): string => `${poolName(box)}_vagrant_box_image_`;
export const OVERLAB_BOX_VOLUME_PREFIX = poolName(BOX_PREFIX);

/**
 * Remove boxes that overlab built from an earlier vm/, and every copy of an
 * overlab box's disk in libvirt's default pool but the current one's,
 * because a VAGRANT_HOME removed by hand leaves those copies behind.
 */
async function removeOlderBoxes(current: string, boxes: string[]): Promise<void> {
  for (const box of boxes) await run(['vagrant', 'box', 'remove', '--force', '--all', box], { timeoutMs: 60_000, env: BOX_COMMAND_ENV });
  for (const volume of await poolVolumes()) {
    if (volume.startsWith(OVERLAB_BOX_VOLUME_PREFIX) && !volume.startsWith(boxVolumePrefix(current))) {
      await run(['virsh', '--connect', 'qemu:///system', 'vol-delete', volume, '--pool', 'default'], { timeoutMs: 30_000 });
    }
  }
}

/** List the volumes of libvirt's default pool, or none when virsh is missing or the pool does not exist. */
export async function poolVolumes(): Promise<string[]> {
  const result = await run(['virsh', '--connect', 'qemu:///system', 'vol-list', 'default'], { timeoutMs: 30_000 }).catch(() => undefined);
  if (result?.exitCode !== 0) return [];
  // virsh 9.0's vol-list has no --name: a table of name and path, under a header and a rule.
  return result.stdout
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}
