import path from 'node:path';
import { run, type ExecResult } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { labDir, PACKAGE_ROOT } from '../../paths.js';

/**
 * The settings of the Vagrant provider, from the environment: the same
 * variables configure the top-level Vagrantfile when vagrant runs alone.
 */
export interface VagrantSettings {
  /** Vagrant's provider: libvirt (default) or virtualbox. */
  provider: string;
  /** A box name, or undefined for overlab's own box, built by vm/build-box.sh. */
  box: string | undefined;
  /** libvirt's domain type: kvm (default) or qemu, software emulation. */
  libvirtDriver: string;
  /**
   * A network namespace file (as nsenter --net takes it) where libvirt's
   * networks live when libvirtd runs in a namespace of its own, as in the
   * tests: vagrant and ssh must run there to reach the VMs.
   */
  netns: string | undefined;
}

export function vagrantSettings(env: NodeJS.ProcessEnv = process.env): VagrantSettings {
  const provider = env.OVERLAB_VAGRANT_PROVIDER || 'libvirt';
  if (!['libvirt', 'virtualbox'].includes(provider)) {
    throw new OverlabError('BAD_ARGUMENT', `OVERLAB_VAGRANT_PROVIDER="${provider}" is not a Vagrant provider overlab supports`, { hint: 'set it to libvirt or virtualbox' });
  }
  const libvirtDriver = env.OVERLAB_LIBVIRT_DRIVER || 'kvm';
  if (!['kvm', 'qemu'].includes(libvirtDriver)) {
    throw new OverlabError('BAD_ARGUMENT', `OVERLAB_LIBVIRT_DRIVER="${libvirtDriver}" is not a libvirt driver overlab supports`, {
      hint: 'set it to kvm, or qemu for software emulation where KVM is not available',
    });
  }
  return { provider, box: env.OVERLAB_VAGRANT_BOX || undefined, libvirtDriver, netns: env.OVERLAB_VAGRANT_NETNS || undefined };
}

/** Return the command that vagrant and ssh run behind: nsenter into OVERLAB_VAGRANT_NETNS, or nothing. */
export function netnsPrefix(): string[] {
  const { netns } = vagrantSettings();
  return netns ? ['nsenter', `--net=${netns}`, '--'] : [];
}

/** Return where Vagrant keeps a lab's machines: the lab's directory, so that labs do not share them. */
export function dotfileDir(lab: string): string {
  return path.join(labDir(lab), 'vagrant');
}

/** Return the topology file the Vagrantfile reads, a copy of the lab's topology. */
export function topologyFile(lab: string): string {
  return path.join(labDir(lab), 'topology.json');
}

/** Run vagrant on the top-level Vagrantfile for a lab. */
export async function vagrant(
  lab: string,
  box: string,
  args: readonly string[],
  options: { timeoutMs?: number; onStdout?: (chunk: string) => void; signal?: AbortSignal } = {},
): Promise<ExecResult> {
  const settings = vagrantSettings();
  return run([...netnsPrefix(), 'vagrant', ...args, '--no-color'], {
    ...options,
    env: {
      VAGRANT_CWD: PACKAGE_ROOT,
      VAGRANT_DOTFILE_PATH: dotfileDir(lab),
      VAGRANT_DEFAULT_PROVIDER: settings.provider,
      // Vagrant would otherwise check the catalogue for a newer version of itself.
      VAGRANT_CHECKPOINT_DISABLE: '1',
      OVERLAB_LAB: lab,
      OVERLAB_TOPOLOGY: topologyFile(lab),
      OVERLAB_VAGRANT_BOX: box,
      OVERLAB_LIBVIRT_DRIVER: settings.libvirtDriver,
    },
  });
}

/** Run vagrant and raise on failure with the last lines it printed. */
export async function vagrantOk(lab: string, box: string, args: readonly string[], options: Parameters<typeof vagrant>[3] = {}): Promise<ExecResult> {
  const result = await vagrant(lab, box, args, options);
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
    throw new OverlabError('PROVISION_FAILED', `vagrant ${args[0]} failed with exit code ${result.exitCode}: ${detail}`);
  }
  return result;
}
