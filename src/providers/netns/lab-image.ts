import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run, runOk } from '../../exec.js';
import { OverlabError } from '../../errors.js';
import { cacheDir } from '../../paths.js';

/**
 * Programs in the image that containers of the lab run. The course's
 * containers need a shell, a real iproute2 (`ip -d`, `ip -j`), ping and
 * sleep; the rest are for a learner exploring inside a container.
 */
const IMAGE_PROGRAMS = ['sh', 'bash', 'ip', 'bridge', 'ping', 'sleep', 'cat', 'ls', 'hostname', 'ethtool', 'ps'];

/** The name the course's `docker run ... debian ...` commands use. */
export const LAB_IMAGE_NAME = 'debian';

export interface LabImage {
  tarball: string;
  digest: string;
}

/**
 * Build (or reuse) the container image tarball from this machine's own
 * binaries and their shared libraries, so that no registry is needed. The
 * cache key covers each file's path, size and mtime: upgrading a package
 * rebuilds the image.
 */
export async function buildLabImage(): Promise<LabImage> {
  const files = new Set<string>();
  for (const program of IMAGE_PROGRAMS) {
    const binary = await which(program);
    files.add(binary);
    for (const library of await sharedLibraries(binary)) files.add(library);
  }
  const sorted = [...files].sort();
  const hash = createHash('sha256');
  for (const file of sorted) {
    const info = await stat(file);
    hash.update(`${file}\0${info.size}\0${info.mtimeMs}\n`);
  }
  const digest = hash.digest('hex').slice(0, 16);
  const tarball = path.join(cacheDir(), `lab-image-${digest}.tar`);
  if (existsSync(tarball)) return { tarball, digest };

  await removeStaleBuilds();
  // Names carry the PID: two labs started at once may build the image side by side.
  const stage = path.join(cacheDir(), `lab-image-${digest}.${process.pid}.stage`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  for (const file of sorted) await copyPreservingLinks(file, stage);
  await mkdir(path.join(stage, 'etc'), { recursive: true });
  await writeFile(path.join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  await writeFile(path.join(stage, 'etc/group'), 'root:x:0:\n');
  for (const dir of ['root', 'tmp', 'proc', 'sys', 'dev', 'run']) await mkdir(path.join(stage, dir), { recursive: true });
  const partial = path.join(cacheDir(), `lab-image-${digest}.${process.pid}.partial`);
  await runOk(['tar', '--create', '--file', partial, '--numeric-owner', '--directory', stage, '.']);
  await runOk(['mv', partial, tarball]);
  await rm(stage, { recursive: true, force: true });
  return { tarball, digest };
}

/** Remove what a build killed half-way left behind (its PID is gone). */
async function removeStaleBuilds(): Promise<void> {
  for (const entry of await readdir(cacheDir()).catch(() => [] as string[])) {
    const pid = Number(/\.(\d+)\.(stage|partial)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(cacheDir(), entry), { recursive: true, force: true });
    }
  }
}

async function which(program: string): Promise<string> {
  for (const dir of ['/usr/bin', '/usr/sbin', '/bin', '/sbin']) {
    const candidate = path.join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  throw new OverlabError('MISSING_TOOL', `${program} not found, needed for the lab's container image`, {
    hint: 'run "overlab doctor" for the packages to install',
  });
}

/** Paths of the shared libraries a binary loads, as ldd prints them (Debian's glibc ldd). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const result = await run(['ldd', binary]);
  if (result.exitCode !== 0) return []; // a static binary
  const libraries: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libraries.push(match[1]);
  }
  return libraries;
}

/**
 * Copy a file into the stage at the same path, recreating each symlink met
 * on the way (e.g. /bin -> usr/bin on a merged-/usr system, libfoo.so.1 ->
 * libfoo.so.1.2) so that the loader finds every path it was linked with.
 */
async function copyPreservingLinks(file: string, stage: string): Promise<void> {
  const parts = file.split('/').filter(Boolean);
  let current = '/';
  for (let index = 0; index < parts.length; index++) {
    current = path.join(current, parts[index] as string);
    const target = path.join(stage, current);
    const info = await lstat(current);
    if (info.isSymbolicLink()) {
      const link = await readlink(current);
      if (!existsSync(target)) {
        await mkdir(path.dirname(target), { recursive: true });
        await symlink(link, target).catch(() => undefined);
      }
      const resolved = path.resolve(path.dirname(current), link);
      const rest = parts.slice(index + 1).join('/');
      await copyPreservingLinks(rest ? path.join(resolved, rest) : resolved, stage);
      return;
    }
    if (info.isDirectory()) {
      await mkdir(target, { recursive: true });
    } else if (!existsSync(target)) {
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(current, target);
    }
  }
}
