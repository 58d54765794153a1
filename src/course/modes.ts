import { run } from '../exec.js';
import { OverlabError } from '../errors.js';
import type { Chapter, ChapterMode } from './chapter.js';

/**
 * Docker removed --cluster-store and --cluster-advertise, and with them
 * overlays on an external key-value store, in version 23.0 (deprecated in
 * 20.10). Debian 12's docker.io 20.10 still has them.
 */
const LAST_MAJOR_WITH_CLUSTER_STORE = 22;

/** Return the dockerd major version, or undefined when dockerd is missing. */
export async function dockerdMajorVersion(): Promise<{ major: number; text: string } | undefined> {
  const result = await run(['dockerd', '--version']).catch(() => undefined);
  const match = result && /version (\d+)\.(\d+)\.?\S*/i.exec(result.stdout);
  if (!match) return undefined;
  return { major: Number(match[1]), text: match[0] };
}

/** Explain why the machine cannot run a mode, or return undefined when it can. */
export async function unmetRequirement(mode: ChapterMode): Promise<string | undefined> {
  if (mode.requires !== 'docker-cluster-store') return undefined;
  const docker = await dockerdMajorVersion();
  if (!docker) return 'dockerd is not installed';
  if (docker.major > LAST_MAJOR_WITH_CLUSTER_STORE) return `dockerd ${docker.text} has no --cluster-store (removed in Docker 23)`;
  return undefined;
}

/**
 * Pick the mode to run a chapter in: the requested one if the machine
 * supports it, else the first mode in the front matter that it supports.
 */
export async function chooseMode(chapter: Chapter, requested?: string): Promise<{ mode: string | undefined; reason: string }> {
  if (chapter.modes.length === 0) {
    if (requested) throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no modes, so --mode ${requested} does not apply`, { hint: 'leave out --mode' });
    return { mode: undefined, reason: '' };
  }
  if (requested) {
    const mode = chapter.modes.find((candidate) => candidate.name === requested);
    if (!mode) {
      throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no mode "${requested}"`, {
        hint: `use --mode ${chapter.modes.map((candidate) => candidate.name).join(' or --mode ')}`,
      });
    }
    const unmet = await unmetRequirement(mode);
    if (unmet) {
      const other = chapter.modes.find((candidate) => candidate.name !== requested);
      throw new OverlabError('BAD_ARGUMENT', `mode ${requested} cannot run here: ${unmet}`, { hint: other ? `use --mode ${other.name}` : 'install a Docker that supports it' });
    }
    return { mode: requested, reason: 'requested with --mode' };
  }
  const skipped: string[] = [];
  for (const mode of chapter.modes) {
    const unmet = await unmetRequirement(mode);
    if (!unmet) {
      const why = skipped.length > 0 ? `${skipped.join('; ')}` : mode.description || 'the first mode of the chapter';
      return { mode: mode.name, reason: why };
    }
    skipped.push(`not ${mode.name}: ${unmet}`);
  }
  throw new OverlabError('BAD_ARGUMENT', `no mode of chapter ${chapter.id} can run here (${skipped.join('; ')})`, { hint: 'run "overlab doctor"' });
}
