#!/usr/bin/env node
// overlab's benchmark: every figure is the median of several runs after a
// warm-up, measured side by side with what it is compared to, in one run.
// As root, after `npm run build`:
//   node bench/bench.mjs [--runs N] [--vagrant-runs N] [--install-mininet] [--max-labs N] [--output FILE]
// It prints a Markdown table and writes it to docs/benchmarks.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'overlab.js');
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'install-mininet': { type: 'boolean', default: false },
    'max-labs': { type: 'string', default: '20' },
    // A VM run under software emulation takes about 6 minutes, so lower this
    // for a quicker, rougher figure.
    'vagrant-runs': { type: 'string', default: '5' },
    output: { type: 'string', default: path.join(root, 'docs', 'benchmarks.md') },
  },
});
const RUNS = Number(options.runs);

const { NetnsProvider } = await import(path.join(root, 'dist/providers/netns/netns-provider.js'));
const { loadTopology } = await import(path.join(root, 'dist/lab/topology.js'));
const { loadChapter } = await import(path.join(root, 'dist/course/book.js'));
const { enterHost } = await import(path.join(root, 'dist/providers/netns/namespace-holder.js'));
const provider = new NetnsProvider();

// ---- measuring ---------------------------------------------------------

/**
 * Run `fn` once to warm up, then `runs` times; return median, min and max in
 * ms. A number returned by `fn` is taken as the sample instead of its whole
 * duration, so that set-up and clean-up can stay out of it.
 */
async function measure(fn, runs = RUNS, { warmUp = true } = {}) {
  if (warmUp) await fn();
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const returned = await fn();
    samples.push(typeof returned === 'number' ? returned : performance.now() - started);
  }
  return summarize(samples);
}

function overlab(args, { env = {} } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  if (result.status !== 0 && !(args[0] === 'verify' && result.status === 1)) {
    throw new Error(`overlab ${args.join(' ')} exited with ${result.status}: ${result.stderr.trim()}`);
  }
  return result;
}

function sh(script) {
  const result = spawnSync('bash', ['-e', '-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`script failed (${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}

const seconds = (ms) => `${(ms / 1000).toFixed(ms < 1000 ? 3 : 2)} s`;
const range = (m) => `${seconds(m.median)} (${seconds(m.min)}–${seconds(m.max)}, n=${m.runs})`;

// ---- the figures -------------------------------------------------------

const rows = [];
function row(figure, value, comparison = '—', note = '') {
  rows.push({ figure, value, comparison, note });
  console.log(`${figure}: ${value}${comparison !== '—' ? ` | ${comparison}` : ''}${note ? ` | ${note}` : ''}`);
}

const overlay = await loadTopology('overlay');
const bareTopology = { ...overlay, name: 'overlay', hosts: overlay.hosts.map((host) => ({ ...host, services: [] })) };

// 1. Lab up without daemons, against a bare shell script making the same namespaces and against Mininet.
const netnsUp = await measure(async () => {
  const started = performance.now();
  await provider.up('bench-up', bareTopology);
  const elapsed = performance.now() - started;
  await provider.down('bench-up');
  return elapsed;
});

// The bare script: three hosts and a switch as plain `ip netns` namespaces joined by veth pairs.
const bareNamespaces = `
for ns in b-sw b-kv b-n1 b-n2; do ip netns add $ns; done
ip -n b-sw link add br0 type bridge; ip -n b-sw link set br0 up
i=0; for h in kv:10.0.10.34 n1:10.0.10.30 n2:10.0.10.31; do
  name=\${h%%:*}; addr=\${h#*:}
  ip -n b-sw link add $name type veth peer name eth0 netns b-$name
  ip -n b-sw link set $name master br0 up
  ip -n b-$name addr add $addr/24 dev eth0; ip -n b-$name link set eth0 up; ip -n b-$name link set lo up
done`;
const bareDown = 'for ns in b-sw b-kv b-n1 b-n2; do ip netns del $ns 2>/dev/null || true; done';
sh(bareDown);
const bareUp = await measure(async () => {
  const started = performance.now();
  sh(bareNamespaces);
  const elapsed = performance.now() - started;
  sh(bareDown);
  return elapsed;
});

let mininet = 'not measured: Mininet is not installed (run with --install-mininet)';
if (options['install-mininet'] && (spawnSync('which', ['mn']).status !== 0 || spawnSync('which', ['brctl']).status !== 0)) {
  // bridge-utils: Mininet's Linux-bridge switch (lxbr) runs brctl.
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'mininet', 'bridge-utils'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
if (spawnSync('which', ['mn']).status === 0) {
  // Mininet puts its switch in the namespace it runs in, so it runs in a
  // throwaway one: nothing of it reaches the machine's own. A Linux bridge
  // (lxbr) replaces Open vSwitch, and no controller is needed for it.
  const mnArgs = ['--net', '--mount', '--propagation', 'private', 'mn', '--topo', 'single,3', '--test', 'none', '--switch', 'lxbr', '--controller', 'none'];
  const probe = spawnSync('unshare', mnArgs, { encoding: 'utf8' });
  if (probe.status === 0) {
    const mn = await measure(async () => {
      spawnSync('unshare', mnArgs, { encoding: 'utf8' });
    });
    mininet = `Mininet \`mn --topo single,3 --test none --switch lxbr --controller none\`, start and stop: ${range(mn)} (ratio ${(netnsUp.median / mn.median).toFixed(2)})`;
  } else {
    const reason = `${probe.stdout}${probe.stderr}`.split('\n').find((line) => /cannot|error|not found|failed/i.test(line)) ?? `exit code ${probe.status}`;
    mininet = `not measured: mn failed: ${reason.trim()}`;
  }
}
row('netns lab up: 3 hosts and the underlay, no daemons', range(netnsUp), `bare \`ip netns\` script: ${range(bareUp)} (ratio ${(netnsUp.median / bareUp.median).toFixed(2)}); ${mininet}`, 'target ≤ 0.3 s');

// 2. Lab up with dockerd ready on both nodes.
const upWithDaemons = await measure(async () => {
  const started = performance.now();
  await provider.up('bench-up', overlay);
  const elapsed = performance.now() - started;
  await provider.down('bench-up');
  return elapsed;
});
row('netns lab up with the node daemons ready', range(upWithDaemons));

// 3. Chapter 2 end to end, against the same commands run bare.
const chapterRuns = RUNS;
const chapter2 = await measure(async () => {
  overlab(['start', 'chapter-2', '--yes', '--lab', 'bench-ch2']);
  overlab(['verify', 'chapter-2', '--lab', 'bench-ch2']);
  overlab(['down', '--lab', 'bench-ch2']);
}, chapterRuns);
const { chapter } = await loadChapter('chapter-2');
const bareChapter = await measure(async () => {
  const lab = await provider.up('bench-bare', overlay);
  for (const step of chapter.steps) {
    for (const stepRun of step.runs) {
      const [file, ...args] = enterHost(lab.state.hosts[stepRun.host], 'bench-bare', stepRun.host, ['bash', '-e', '-c', stepRun.script]);
      spawnSync(file, args, { stdio: 'ignore' });
    }
  }
  await provider.down('bench-bare');
}, chapterRuns);
row(
  'chapter 2 end to end (start --yes, verify, down)',
  range(chapter2),
  `the same steps as bare nsenter scripts on a lab, no checks: ${range(bareChapter)} (ratio ${(chapter2.median / bareChapter.median).toFixed(2)})`,
  'target ≤ 2×',
);

// 4. Chapter 1 in each mode the machine supports.
for (const mode of ['classic', 'swarm']) {
  const probe = spawnSync(process.execPath, [bin, 'start', 'chapter-1', '--yes', '--mode', mode, '--lab', 'bench-ch1'], { encoding: 'utf8' });
  overlab(['down', '--lab', 'bench-ch1']);
  if (probe.status !== 0) {
    row(`chapter 1 end to end, ${mode} mode`, `not measured: ${probe.stderr.trim().split('\n')[0]}`);
    continue;
  }
  const chapter1 = await measure(async () => {
    overlab(['start', 'chapter-1', '--yes', '--mode', mode, '--lab', 'bench-ch1']);
    overlab(['down', '--lab', 'bench-ch1']);
  }, RUNS, { warmUp: false });
  row(`chapter 1 end to end, ${mode} mode (start --yes, down)`, range(chapter1), '—', 'a first run, which checks that the mode works here, is the warm-up');
}

// 5. verify on a finished lab, 6. step overhead, 7. down.
overlab(['start', 'chapter-2', '--yes', '--lab', 'bench-ch2']);
const verify = await measure(async () => overlab(['verify', 'chapter-2', '--lab', 'bench-ch2']));
row('`overlab verify chapter-2` on a finished lab (18 checks)', range(verify), '—', 'target ≤ 0.2 s');

const lab = await provider.attach('bench-ch2');
const stepOverhead = await measure(async () => lab.exec('node1', ['true']), 50);
const holder = lab.state.hosts.node1;
const bareNsenter = await measure(async () => {
  spawnSync('nsenter', [`--target=${holder.initPid}`, '--net', '--uts', '--mount', '--pid', '--', 'true']);
}, 50);
row(
  'one command on a host through overlab (`true` on node1)',
  range(stepOverhead),
  `bare \`nsenter -t PID -n -u -m -p true\`: ${range(bareNsenter)}; overhead ${(stepOverhead.median - bareNsenter.median).toFixed(1)} ms`,
  'target overhead ≤ 20 ms',
);

const peakOverlab = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, 'verify', 'chapter-2', '--lab', 'bench-ch2'], { encoding: 'utf8' });
const verifyPeakKiB = Number(peakOverlab.stderr.trim().split('\n').pop());
const labMemoryMiB = labResidentMiB('bench-ch2');

let first = true;
const down = await measure(async () => {
  if (!first) overlab(['start', 'chapter-2', '--yes', '--lab', 'bench-ch2']);
  first = false;
  const started = performance.now();
  overlab(['down', '--lab', 'bench-ch2']);
  return performance.now() - started;
}, RUNS, { warmUp: false });
row('`overlab down` of a finished chapter-2 lab', range(down), '—', 'the first run downs the lab that verify was measured on');

// 8. Labs side by side.
const maxLabs = Number(options['max-labs']);
let single;
let capacity = 0;
let capacityNote = '';
for (const count of [1, 2, 4, 8, 12, 16, 20].filter((n) => n <= maxLabs)) {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, (_unused, index) =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, 'start', 'chapter-2', '--yes', '--lab', `bench-side-${index}`], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
        child.on('exit', (code) => resolve(code));
      }),
    ),
  );
  const elapsed = performance.now() - started;
  const verified = Array.from({ length: count }, (_unused, index) => overlab(['verify', 'chapter-2', '--lab', `bench-side-${index}`]).status);
  for (let index = 0; index < count; index++) overlab(['down', '--lab', `bench-side-${index}`]);
  const failed = results.filter((code) => code !== 0).length + verified.filter((code) => code !== 0).length;
  single ??= elapsed;
  console.log(`  ${count} labs at once: ${seconds(elapsed)}, ${failed} failures`);
  if (failed > 0) {
    capacityNote = `at ${count} labs a step or check failed`;
    break;
  }
  if (elapsed > 2 * single) {
    capacityNote = `at ${count} labs the run took ${(elapsed / single).toFixed(1)}× as long as one lab`;
    break;
  }
  capacity = count;
}
row('chapter-2 labs side by side before a check fails or a lab takes twice as long', `${capacity}`, capacityNote || `up to ${maxLabs} tried`, 'target ≥ 20 on 2 cores');

row('peak memory of the overlab process (`overlab verify`)', `${(verifyPeakKiB / 1024).toFixed(0)} MiB`, '—', 'maximum resident set, GNU time');
row('memory of one finished chapter-2 lab', `${labMemoryMiB.toFixed(0)} MiB`, '—', 'resident memory of every process in the lab\'s PID namespaces');
let containerUp;
await benchContainerProvider();
await benchVagrantProvider();

/**
 * Measure the container provider, on the engine DOCKER_HOST names or on the
 * one scripts/docker-engine.sh starts. The host image is built by the warm-up
 * run when the engine does not have it yet, so it is not in the figures.
 */
async function benchContainerProvider() {
  if (!process.env.DOCKER_HOST) {
    const started = spawnSync(path.join(root, 'scripts/docker-engine.sh'), ['start'], { encoding: 'utf8' });
    const host = /^DOCKER_HOST=(\S+)/m.exec(started.stdout)?.[1];
    if (!host) {
      row('container provider: lab up and chapter 2', `not measured: no Docker engine (${started.stderr.trim()})`);
      return;
    }
    process.env.DOCKER_HOST = host;
  }
  const { ContainerProvider } = await import(path.join(root, 'dist/providers/container/container-provider.js'));
  const containers = new ContainerProvider();
  const up = await measure(async () => {
    const started = performance.now();
    await containers.up('bench-ct', overlay);
    const elapsed = performance.now() - started;
    await containers.down('bench-ct');
    return elapsed;
  });
  row('container lab up with the node daemons ready (host image cached)', range(up), `netns: ${range(upWithDaemons)}`);
  containerUp = up;
  const chapter = await measure(async () => {
    overlab(['start', 'chapter-2', '--yes', '--provider', 'container', '--lab', 'bench-ct']);
    overlab(['down', '--lab', 'bench-ct']);
  }, RUNS, { warmUp: false });
  row('container provider: chapter 2 end to end (start --yes, down)', range(chapter), `netns: ${range(chapter2)}`);
  overlab(['start', 'chapter-2', '--yes', '--provider', 'container', '--lab', 'bench-ct']);
  const verifyContainers = await measure(async () => overlab(['verify', 'chapter-2', '--lab', 'bench-ct']));
  row('container provider: `overlab verify chapter-2` on a finished lab', range(verifyContainers), `netns: ${range(verify)}`);
  const running = await containers.attach('bench-ct');
  const exec = await measure(async () => running.exec('node1', ['true']), 50);
  row('container provider: one command on a host (`true` on node1, engine exec API)', range(exec), `netns: ${range(stepOverhead)}`);
  overlab(['down', '--lab', 'bench-ct']);
}

/**
 * Measure the vagrant provider, with libvirt started by
 * scripts/libvirt-daemon.sh (in a network namespace of its own) unless
 * OVERLAB_VAGRANT_NETNS is set, and QEMU's software emulation unless
 * OVERLAB_LIBVIRT_DRIVER is set. A VM lab takes minutes under emulation, so
 * each run measures every figure once, after one whole run as the warm-up. A
 * missing box is built before the warm-up, outside the figures.
 */
async function benchVagrantProvider() {
  if (!process.env.OVERLAB_VAGRANT_NETNS) {
    const started = spawnSync(path.join(root, 'scripts/libvirt-daemon.sh'), ['start'], { encoding: 'utf8' });
    if (started.status !== 0) {
      row('vagrant provider: lab up and chapter 2', `not measured: no libvirt (${started.stderr.trim()})`);
      return;
    }
    process.env.OVERLAB_VAGRANT_NETNS = started.stdout.trim().split(/\s/)[0];
  }
  process.env.OVERLAB_LIBVIRT_DRIVER ??= 'qemu';
  process.env.VAGRANT_HOME ??= '/var/lib/overlab-vagrant';
  const runs = Number(options['vagrant-runs']);
  const emulation = process.env.OVERLAB_LIBVIRT_DRIVER === 'qemu' ? 'QEMU software emulation' : 'KVM';
  const { VagrantProvider } = await import(path.join(root, 'dist/providers/vagrant/vagrant-provider.js'));
  const { ensureBox } = await import(path.join(root, 'dist/providers/vagrant/box.js'));
  const { vagrant } = await import(path.join(root, 'dist/providers/vagrant/vagrant.js'));
  const { readLabState } = await import(path.join(root, 'dist/lab/lab-state.js'));
  await ensureBox((message) => console.log(message));
  const vms = new VagrantProvider();
  const samples = { up: [], steps: [], verify: [], down: [], whole: [] };
  let exec;
  let vagrantSsh;
  const timed = async (list, fn) => {
    const started = performance.now();
    await fn();
    list.push(performance.now() - started);
  };
  // Run -1 is the warm-up, whose figures are dropped. It loads the box's disk
  // and Vagrant's Ruby files into the page cache.
  for (let run = -1; run < runs; run++) {
    await timed(samples.up, () => vms.up('bench-vm', overlay));
    // start finds the lab up and runs the chapter's steps and checks on it.
    await timed(samples.steps, () => overlab(['start', 'chapter-2', '--yes', '--provider', 'vagrant', '--lab', 'bench-vm']));
    await timed(samples.verify, () => overlab(['verify', 'chapter-2', '--lab', 'bench-vm']));
    if (run === 0) {
      const running = await vms.attach('bench-vm');
      exec = await measure(async () => running.exec('node1', ['true']), 50);
      // The cost of a command without the control master: one Vagrant process per command.
      const box = (await readLabState('bench-vm')).vagrant.box;
      vagrantSsh = await measure(async () => vagrant('bench-vm', box, ['ssh', 'node1', '-c', 'true']), 5);
    }
    await timed(samples.down, () => vms.down('bench-vm'));
    samples.whole.push(samples.up.at(-1) + samples.steps.at(-1) + samples.down.at(-1));
    if (run === -1) for (const list of Object.values(samples)) list.length = 0;
    console.log(run === -1 ? 'vagrant: warm-up run done' : `vagrant: run ${run + 1} of ${runs} done`);
  }
  const note = emulation;
  row('vagrant lab up with the node daemons ready (box cached)', range(summarize(samples.up)), containerUp ? `container: ${range(containerUp)}` : '—', note);
  row('vagrant provider: chapter 2 end to end (lab up, start --yes, down)', range(summarize(samples.whole)), `netns: ${range(chapter2)}`, `${note}; the steps and their checks alone: ${range(summarize(samples.steps))}`);
  row('vagrant provider: `overlab verify chapter-2` on a finished lab', range(summarize(samples.verify)), `netns: ${range(verify)}`, note);
  row(
    'vagrant provider: one command on a host (`true` on node1, over the SSH control master)',
    range(exec),
    `netns: ${range(stepOverhead)}; \`vagrant ssh node1 -c true\`: ${range(vagrantSsh)}`,
    emulation,
  );
  row('vagrant provider: `overlab down`', range(summarize(samples.down)), '—', note);
}

/** Return median, min and max of samples taken one by one, as measure() does. */
function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
}

// ---- the report --------------------------------------------------------

function labResidentMiB(labName) {
  const state = JSON.parse(readFileSync(`/run/overlab/labs/${labName}/state.json`, 'utf8'));
  const namespaces = new Set(Object.values(state.hosts).map((holder) => readlinkSync(`/proc/${holder.initPid}/ns/pid`)));
  let kib = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!namespaces.has(readlinkSync(`/proc/${entry}/ns/pid`))) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      kib += Number(rss?.[1] ?? 0);
    } catch {
      // The process has exited.
    }
  }
  return kib / 1024;
}

const versions = {
  cores: os.cpus().length,
  kernel: os.release(),
  iproute2: execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim(),
  docker: execFileSync('dockerd', ['--version'], { encoding: 'utf8' }).trim(),
  node: process.version,
};
const table = [
  '| figure | overlab | compared with | note |',
  '| --- | --- | --- | --- |',
  ...rows.map((entry) => `| ${entry.figure} | ${entry.value} | ${entry.comparison} | ${entry.note} |`),
];
const text = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${versions.cores} cores, Linux ${versions.kernel}, ${versions.iproute2}, ${versions.docker}, Node ${versions.node}.`,
  `Each figure is the median of the runs given after a warm-up run, with the minimum and maximum; comparisons were measured in the same run.`,
  '',
  ...table,
  '',
].join('\n');
console.log(`\n${table.join('\n')}`);
// Keep the hand-written analysis below the marker of an earlier report.
const MARKER = '<!-- analysis: kept by bench.mjs -->';
let analysis = '';
try {
  const previous = readFileSync(options.output, 'utf8');
  if (previous.includes(MARKER)) analysis = previous.slice(previous.indexOf(MARKER));
} catch {
  // No earlier report.
}
writeFileSync(options.output, analysis ? `${text}\n${analysis}` : text);
console.log(`wrote ${options.output}`);
