import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/exec.js';
import { shellQuote } from '../../src/providers/vagrant/ssh.js';
import { vagrantSettings } from '../../src/providers/vagrant/vagrant.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const hasVagrant = existsSync('/usr/bin/vagrant');

describe('the Vagrantfile', () => {
  // Every change to the Vagrantfile, the topologies or vm/ is checked here,
  // with no VM made. Without vagrant the test is skipped, except under CI.
  for (const topology of ['overlay', 'overlay-classic']) {
    it.skipIf(!hasVagrant && !process.env.CI)(`passes vagrant validate with the ${topology} topology`, async () => {
      // Vagrant writes its machine records next to the Vagrantfile unless VAGRANT_DOTFILE_PATH points elsewhere.
      const dotfiles = await mkdtemp(path.join(os.tmpdir(), 'overlab-validate-'));
      const { stdout } = await promisify(execFile)('vagrant', ['validate', '--ignore-provider'], {
        cwd: ROOT,
        env: {
          ...process.env,
          VAGRANT_CWD: ROOT,
          VAGRANT_DOTFILE_PATH: dotfiles,
          VAGRANT_CHECKPOINT_DISABLE: '1',
          OVERLAB_TOPOLOGY: path.join(ROOT, 'labs', `${topology}.json`),
          OVERLAB_LAB: 'validate',
        },
        timeout: 120_000,
      }).finally(() => rm(dotfiles, { recursive: true, force: true }));
      expect(stdout).toContain('Vagrantfile validated successfully.');
      for (const host of ['kv', 'node1', 'node2']) expect(stdout).toContain(`==> ${host}:`);
    }, 120_000);
  }
});

describe('vagrant settings', () => {
  it('defaults to libvirt with KVM and overlab\'s own box', () => {
    expect(vagrantSettings({})).toEqual({ provider: 'libvirt', box: undefined, libvirtDriver: 'kvm', netns: undefined });
  });

  it('names the variable and the values it takes in a bad setting', () => {
    expect(() => vagrantSettings({ OVERLAB_VAGRANT_PROVIDER: 'docker' })).toThrow('OVERLAB_VAGRANT_PROVIDER="docker" is not a Vagrant provider overlab supports');
    expect(() => vagrantSettings({ OVERLAB_LIBVIRT_DRIVER: 'tcg' })).toThrow('OVERLAB_LIBVIRT_DRIVER="tcg" is not a libvirt driver overlab supports');
  });
});

describe('commands sent over SSH', () => {
  // ssh joins its arguments with spaces for the remote shell: each word must
  // reach the program as it was, which a real sh checks here.
  const words = ['plain', 'two words', "it's", '$HOME', '`id`', 'a;b', '', '{{.Server.Version}}', 'x\ny', '\\', '*'];
  it('quotes every word so that sh gives it back unchanged', async () => {
    const script = `printf '%s\\0' ${words.map(shellQuote).join(' ')}`;
    const result = await run(['sh', '-c', script]);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('leaves plain words unquoted, for readable logs', () => {
    expect(shellQuote('ip')).toBe('ip');
    expect(shellQuote('--format')).toBe('--format');
    expect(shellQuote('10.0.10.30/24')).toBe('10.0.10.30/24');
  });
});
