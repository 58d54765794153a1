import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/commands/verify.js';
import { lockFile, lockLab } from '../../src/lab/lab-lock.js';
import { labDir, stateRoot } from '../../src/paths.js';
import { NetnsProvider } from '../../src/providers/netns/netns-provider.js';
import { progressFile } from '../../src/runner/progress.js';
import { expectNothingLeft } from './chapter-e2e.js';
import { killStartAfter, overlab, startUntil } from './cli.js';
import { snapshotMachine } from './machine-snapshot.js';
import { missingPrerequisite } from './prerequisites.js';

const skipReason = await missingPrerequisite();

describe.skipIf(skipReason !== undefined)('reliability', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    before = await snapshotMachine();
  });

  afterAll(async () => {
    for (const lab of ['kill-9', 'sigterm', 'sigint-up', 'side-a', 'side-b', 'locked', 'corrupt', 'mismatch']) await new NetnsProvider().down(lab);
  });

  // Points spread over provisioning (the first second) and over the steps.
  const KILL_DELAYS_MS = [30, 60, 90, 120, 160, 200, 250, 300, 400, 500, 650, 800, 1000, 1300, 1700, 2200, 3000, 4500, 6500, 9000];

  it('recovers from kill -9 with down', async () => {
    for (const delay of KILL_DELAYS_MS) {
      await killStartAfter('kill-9', delay);
      const down = await overlab(['down', '--lab', 'kill-9']);
      expect(`${delay} ms: exit ${down.exitCode} ${down.stderr}`).toBe(`${delay} ms: exit 0 `);
      await expectNothingLeft('kill-9', before);
    }
  }, 600_000);

  it('recovers from kill -9 with start', async () => {
    for (const delay of [150, 2500]) {
      await killStartAfter('kill-9', delay);
      const start = await overlab(['start', 'chapter-2', '--yes', '--lab', 'kill-9']);
      expect(`${delay} ms: exit ${start.exitCode} ${start.stderr}`).toBe(`${delay} ms: exit 0 `);
      const verify = await overlab(['verify', 'chapter-2', '--json', '--lab', 'kill-9']);
      expect((JSON.parse(verify.stdout) as VerifyReport).ok).toBe(true);
      await overlab(['down', '--lab', 'kill-9']);
    }
    await expectNothingLeft('kill-9', before);
  }, 600_000);

  it('stops the running step on SIGTERM', async () => {
    // arp-unanswered runs tcpdump on node1 in the background while the container pings.
    const started = await startUntil(['start', 'chapter-2', '--yes', '--lab', 'sigterm'], 'listening on br0');
    started.child.kill('SIGTERM');
    const code = await started.exited;
    expect(code).toBe(1);
    expect(started.stdout).toContain('interrupted by SIGTERM');
    expect(started.stdout).toContain('lab "sigterm" kept');

    const lab = await new NetnsProvider().attach('sigterm');
    const tcpdump = await lab.exec('node1', ['pgrep', '-x', 'tcpdump']);
    expect(tcpdump.stdout).toBe('');
    await overlab(['down', '--lab', 'sigterm']);
    await expectNothingLeft('sigterm', before);
  }, 300_000);

  it('stops at SIGINT during lab start', async () => {
    // Printed by the provider while the lab comes up.
    const started = await startUntil(['start', 'chapter-2', '--yes', '--lab', 'sigint-up'], 'creating 3 hosts');
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(2);
    expect(started.stdout).toContain('interrupted by SIGINT: stopping the start of lab "sigint-up"');
    // A netns lab is up within seconds, so it finishes and no step runs.
    expect(started.stderr).toBe('overlab: the start of lab "sigint-up" was interrupted; the lab is up: "overlab start chapter-2 --lab sigint-up" continues, "overlab down --lab sigint-up" removes it\n');
    expect(started.stdout).not.toContain('Step 1/');

    await overlab(['down', '--lab', 'sigint-up']);
    await expectNothingLeft('sigint-up', before);
  }, 120_000);

  it('runs two labs side by side', async () => {
    const [a, b] = await Promise.all([
      overlab(['start', 'chapter-2', '--yes', '--lab', 'side-a']),
      overlab(['start', 'chapter-2', '--yes', '--lab', 'side-b']),
    ]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);

    // Lab A's underlay stays silent while lab B's containers ping across B's overlay.
    const labA = await new NetnsProvider().attach('side-a');
    const labB = await new NetnsProvider().attach('side-b');
    const capture = labA.exec('node1', ['timeout', '3', 'tcpdump', '-pnl', '-c', '1', '-i', 'eth0', 'udp port 4789']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ping = await labB.exec('node1', ['docker', 'exec', 'demo', 'ping', '-c', '3', '-i', '0.2', '192.168.0.3']);
    const captured = await capture;
    expect(ping.exitCode).toBe(0);
    expect(captured.stdout.trim()).toBe('');
    expect(captured.stderr).toContain('0 packets captured');

    for (const lab of ['side-a', 'side-b']) {
      const verify = await overlab(['verify', 'chapter-2', '--json', '--lab', lab]);
      expect(`${lab}: ${(JSON.parse(verify.stdout) as VerifyReport).ok}`).toBe(`${lab}: true`);
    }
    await overlab(['down', '--lab', 'side-a']);
    await overlab(['down', '--lab', 'side-b']);
    await expectNothingLeft('side-a', before);
    await expectNothingLeft('side-b', before);
  }, 300_000);

  it('names the process holding a lab', async () => {
    const lock = await lockLab('locked', 'start chapter-2');
    const result = await overlab(['down', '--lab', 'locked']);
    await lock.release();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`overlab: lab "locked" is in use by overlab process ${process.pid} (start chapter-2); wait for it to finish, or stop it with "kill ${process.pid}" and run the command again with --lab locked\n`);
  }, 60_000);

  it('takes over a stale lock', async () => {
    await mkdir(path.dirname(lockFile('locked')), { recursive: true });
    // PID 2^22 + 1 is above the kernel's pid_max, so no process has it.
    await writeFile(lockFile('locked'), `${2 ** 22 + 1} start chapter-2\n`);
    const result = await overlab(['down', '--lab', 'locked']);
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it('keeps a corrupt progress file aside', async () => {
    await new NetnsProvider().up('corrupt', (await import('../../src/lab/topology.js')).parseTopology({ hosts: [{ name: 'node1', address: '10.0.10.30/24' }] }, 'inline'));
    await writeFile(progressFile('corrupt'), '{"version": 1, "chapters": ');
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'corrupt']);
    const kept = (await readdir(labDir('corrupt'))).filter((name) => name.startsWith('progress.json.corrupt-'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^overlab: the progress file of lab "corrupt" is unreadable; it was moved to .*progress\.json\.corrupt-\d+; /);
    expect(kept.length).toBe(1);
    expect(await readFile(path.join(labDir('corrupt'), kept[0] as string), 'utf8')).toBe('{"version": 1, "chapters": ');

    const shell = await overlab(['shell', 'node9', '--lab', 'corrupt']);
    expect(shell.exitCode).toBe(2);
    expect(shell.stderr).toBe('overlab: host "node9" is not in lab topology "inline"; use one of: node1\n');
    await overlab(['down', '--lab', 'corrupt']);
  }, 60_000);

  it('rejects down with another provider', async () => {
    await new NetnsProvider().up('mismatch', (await import('../../src/lab/topology.js')).parseTopology({ hosts: [{ name: 'node1', address: '10.0.10.30/24' }] }, 'inline'));
    const mismatched = await overlab(['down', '--provider', 'container', '--lab', 'mismatch']);
    expect(mismatched.exitCode).toBe(2);
    expect(mismatched.stderr).toBe('overlab: lab "mismatch" runs on the netns provider, not --provider container; leave out --provider, or remove the lab with "overlab down --lab mismatch", or pick another lab with --lab\n');
    expect((await overlab(['status', '--lab', 'mismatch'])).stdout).toMatch(/^lab mismatch: up, provider netns/);

    const removed = await overlab(['down', '--lab', 'mismatch']);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toMatch(/^lab "mismatch" removed: /);
  }, 60_000);
});

describe.skipIf(skipReason !== undefined)('bad input', () => {
  let tools: string;
  let before: Record<string, string>;
  let labsBefore: string[];

  beforeAll(async () => {
    before = await snapshotMachine();
    labsBefore = await readdir(path.join(stateRoot(), 'labs')).catch(() => []);
    tools = await mkdtemp(path.join(os.tmpdir(), 'overlab-tools-'));
  });

  afterAll(async () => {
    await rm(tools, { recursive: true, force: true });
    const labsAfter = await readdir(path.join(stateRoot(), 'labs')).catch(() => []);
    expect(labsAfter.sort()).toEqual(labsBefore.sort());
    const after = await snapshotMachine();
    for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
  });

  /** Make a PATH directory with every tool of /usr/sbin and /usr/bin except `without`, plus `replaced` scripts. */
  async function toolDir(name: string, without: string[], replaced: Record<string, string> = {}): Promise<string> {
    const dir = path.join(tools, name);
    await mkdir(dir);
    for (const source of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
      for (const entry of await readdir(source).catch(() => [] as string[])) {
        if (without.includes(entry) || entry in replaced) continue;
        await symlink(path.join(source, entry), path.join(dir, entry)).catch(() => undefined);
      }
    }
    for (const [entry, script] of Object.entries(replaced)) {
      await writeFile(path.join(dir, entry), `#!/bin/sh\n${script}\n`);
      await chmod(path.join(dir, entry), 0o755);
    }
    return dir;
  }

  /** The one stderr line and exit code 2 that every bad input must give. */
  function expectOneLine(result: { exitCode: number; stderr: string; stdout: string }, pattern: RegExp): void {
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean).length).toBe(1);
    expect(result.stderr).toMatch(pattern);
  }

  it('rejects an unknown chapter', async () => {
    expectOneLine(await overlab(['start', 'chapter-9', '--yes']), /^overlab: unknown chapter "chapter-9"; use one of: chapter-1, chapter-2/);
  });

  it('rejects an unknown provider', async () => {
    expectOneLine(await overlab(['start', 'chapter-2', '--yes', '--provider', 'kvm']), /'kvm' is invalid\. Allowed choices are netns/);
  });

  it('rejects an invalid lab name', async () => {
    expectOneLine(await overlab(['start', 'chapter-2', '--yes', '--lab', 'Bad_Name']), /^overlab: invalid lab name "Bad_Name"; use 1 to 24 lowercase letters/);
  });

  it('rejects an unknown mode', async () => {
    expectOneLine(await overlab(['start', 'chapter-1', '--yes', '--mode', 'k8s']), /^overlab: chapter chapter-1 has no mode "k8s"; use --mode classic or --mode swarm/);
  });

  it('rejects a lab that is not running', async () => {
    expectOneLine(await overlab(['shell', 'node1', '--lab', 'nosuchlab']), /^overlab: no lab "nosuchlab" is running/);
  });

  it('names file and line of a bad chapter', async () => {
    const book = path.join(tools, 'book');
    await mkdir(book);
    await writeFile(path.join(book, 'chapter-x.md'), '---\nid: chapter-x\ntitle: X\ntopology: overlay\n---\n\n```sh step=one on=node1 retries=2\nip link\n```\n');
    const result = await overlab(['start', 'chapter-x', '--yes'], 60_000, { OVERLAB_BOOK_DIR: book });
    expectOneLine(result, /chapter-x\.md:7: unknown step attribute "retries"/);
  });

  it('rejects a user who is not root', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'not-root'], 60_000, {}, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expectOneLine(result, /needs root.*sudo/);
  });

  it('names a missing tcpdump', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'no-tcpdump'], 60_000, { OVERLAB_HOST_PATH: await toolDir('no-tcpdump', ['tcpdump']) });
    expectOneLine(result, /^overlab: tcpdump: not found; apt-get install tcpdump$/m);
  });

  it('names a missing docker', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'no-docker'], 60_000, { OVERLAB_HOST_PATH: await toolDir('no-docker', ['docker', 'dockerd']) });
    expectOneLine(result, /^overlab: docker(d)?: not found; apt-get install docker\.io$/m);
  });

  it('names an ip without JSON', async () => {
    const fakeIp = 'case "$*" in *-j*) echo "1: lo: <LOOPBACK,UP> mtu 65536"; exit 0;; esac\nexec /usr/sbin/ip "$@"';
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'no-json'], 60_000, { OVERLAB_HOST_PATH: await toolDir('no-json', [], { ip: fakeIp }) });
    expectOneLine(result, /^overlab: ip -json: ip prints no JSON \(-j\); install iproute2 4\.17 or later/);
  });

  it('names a kernel without vxlan', async () => {
    const fakeIp = 'case "$*" in *"type vxlan"*) echo "Error: Unknown device type." >&2; exit 2;; esac\nexec /usr/sbin/ip "$@"';
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', 'no-vxlan'], 60_000, { OVERLAB_HOST_PATH: await toolDir('no-vxlan', [], { ip: fakeIp }) });
    expectOneLine(result, /^overlab: vxlan: Error: Unknown device type\.; load the module with "modprobe vxlan"/);
  });
});
