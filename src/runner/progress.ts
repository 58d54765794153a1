import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { writeFileAtomic } from '../lab/atomic-file.js';
import { labDir } from '../paths.js';

/**
 * The steps of each chapter the learner has run on this lab, so that
 * `overlab start` resumes. Kept beside the lab's state and removed with it:
 * it describes the live lab, and it is never used for grading.
 */
export interface Progress {
  version: 1;
  chapters: Record<string, ChapterProgress>;
}

export interface ChapterProgress {
  done: string[];
  /** The mode the chapter was started in, for chapters with modes. */
  mode?: string;
  /**
   * The step that was running when overlab stopped without finishing it
   * (Ctrl-C, SIGTERM, SIGKILL). Its commands may have run in part.
   */
  running?: string;
  /** Values that steps saved with save=NAME (a swarm join token, say), for the steps after them. */
  values?: Record<string, string>;
  updatedAt: string;
}

export function progressFile(lab: string): string {
  return path.join(labDir(lab), 'progress.json');
}

export async function readProgress(lab: string): Promise<Progress> {
  let text: string;
  try {
    text = await readFile(progressFile(lab), 'utf8');
  } catch {
    return { version: 1, chapters: {} };
  }
  try {
    const progress = JSON.parse(text) as Progress;
    if (progress.version !== 1 || typeof progress.chapters !== 'object' || progress.chapters === null) throw new Error('unexpected shape');
    return progress;
  } catch {
    const aside = `${progressFile(lab)}.corrupt-${Date.now()}`;
    await rename(progressFile(lab), aside);
    throw new OverlabError('LAB_BROKEN', `the progress file of lab "${lab}" is unreadable; it was moved to ${aside}`, {
      hint: 'run the command again to start the chapter from its first step not yet done in the lab',
    });
  }
}

export async function markStepDone(lab: string, chapter: string, step: string, details: { mode?: string; values?: Record<string, string> } = {}): Promise<void> {
  const progress = await readProgress(lab);
  const entry = progress.chapters[chapter] ?? { done: [], updatedAt: '' };
  if (!entry.done.includes(step)) entry.done.push(step);
  delete entry.running;
  if (details.mode) entry.mode = details.mode;
  if (details.values && Object.keys(details.values).length > 0) entry.values = { ...entry.values, ...details.values };
  entry.updatedAt = new Date().toISOString();
  progress.chapters[chapter] = entry;
  await writeFileAtomic(progressFile(lab), `${JSON.stringify(progress, null, 2)}\n`);
}

/** Record that a step is starting, or (undefined) that none is running any more. */
export async function setRunningStep(lab: string, chapter: string, step: string | undefined): Promise<void> {
  const progress = await readProgress(lab);
  const entry = progress.chapters[chapter] ?? { done: [], updatedAt: '' };
  if (step === undefined) delete entry.running;
  else entry.running = step;
  entry.updatedAt = new Date().toISOString();
  progress.chapters[chapter] = entry;
  await writeFileAtomic(progressFile(lab), `${JSON.stringify(progress, null, 2)}\n`);
}

/** Forget a chapter's progress (its lab is being recreated). */
export async function resetProgress(lab: string, chapter: string): Promise<void> {
  const progress = await readProgress(lab);
  delete progress.chapters[chapter];
  await writeFileAtomic(progressFile(lab), `${JSON.stringify(progress, null, 2)}\n`);
}
