#!/usr/bin/env node
// Run start -> chapter 2 -> verify -> down many times on one lab and print,
// after each cycle, what a leak would make grow: network namespaces, mounts,
// processes, open file descriptors and memory in use. As root:
//   node scripts/soak.mjs [cycles] [output.md]     (defaults: 50, docs/soak.md)
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cycles = Number(process.argv[2] ?? 50);
const outputFile = process.argv[3] ?? path.join(import.meta.dirname, '..', 'docs', 'soak.md');
const bin = path.join(import.meta.dirname, '..', 'bin', 'overlab.js');
const lab = 'soak';

function overlab(...args) {
  const result = spawnSync(process.execPath, [bin, ...args, '--lab', lab], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`overlab ${args.join(' ')} exited with ${result.status}: ${result.stderr.trim()}`);
  return result.stdout;
}

function measure() {
  const netns = new Set();
  let processes = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    processes++;
    try {
      netns.add(readlinkSync(`/proc/${entry}/ns/net`));
    } catch {
      // The process has exited.
    }
  }
  const meminfo = Object.fromEntries(
    readFileSync('/proc/meminfo', 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/:\s+/))
      .map(([key, value]) => [key, Number.parseInt(value, 10)]),
  );
  return {
    netns: netns.size,
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').length,
    processes,
    // /proc/sys/fs/file-nr: allocated file handles, unused ones, maximum.
    fds: Number(readFileSync('/proc/sys/fs/file-nr', 'utf8').split(/\s+/)[0]),
    memUsedMiB: Math.round((meminfo.MemTotal - meminfo.MemAvailable) / 1024),
  };
}

overlab('down');
const rows = [{ cycle: 0, seconds: 0, ...measure() }];
console.log(JSON.stringify(rows[0]));
for (let cycle = 1; cycle <= cycles; cycle++) {
  const started = performance.now();
  overlab('start', 'chapter-2', '--yes');
  const report = JSON.parse(overlab('verify', 'chapter-2', '--json'));
  if (!report.ok) throw new Error(`cycle ${cycle}: verify failed: ${JSON.stringify(report.chapters[0].checks.filter((check) => check.status !== 'pass'))}`);
  overlab('down');
  const row = { cycle, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), ...measure() };
  rows.push(row);
  console.log(JSON.stringify(row));
}

const iproute2 = execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim();
const docker = execFileSync('dockerd', ['--version'], { encoding: 'utf8' }).trim();
const lines = [
  '# Soak: chapter 2, start to down, many times',
  '',
  `\`node scripts/soak.mjs ${cycles}\` ran ${cycles} cycles of \`overlab start chapter-2 --yes\`, \`overlab verify chapter-2 --json\` (every check passing) and \`overlab down\` on one lab, on ${os.cpus().length} cores, Linux ${os.release()}, ${iproute2}, ${docker}, Node ${process.version}, on ${new Date().toISOString().slice(0, 10)}.`,
  'After each cycle it counted the machine\'s network namespaces (distinct /proc/*/ns/net), the mounts of its own mount namespace, its processes, its allocated file handles (/proc/sys/fs/file-nr) and its memory in use (MemTotal - MemAvailable).',
  'A leak would make one of these columns grow from cycle to cycle; cycle 0 is the machine before the first lab.',
  '',
  '| cycle | seconds | network namespaces | mounts | processes | file handles | memory in use (MiB) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((row) => `| ${row.cycle} | ${row.seconds} | ${row.netns} | ${row.mounts} | ${row.processes} | ${row.fds} | ${row.memUsedMiB} |`),
  '',
];
writeFileSync(outputFile, lines.join('\n'));
console.log(`wrote ${outputFile}`);
