import type { Writable } from 'node:stream';
import { loadAllChapters } from '../course/book.js';
import { EXIT_OK } from '../errors.js';
import { readProgress } from '../runner/progress.js';
import { labName, type LabOptions } from './options.js';

/** Chapters in book order with the steps done in the lab. */
export async function listCommand(options: LabOptions, output: Writable): Promise<number> {
  const lab = labName(options);
  const chapters = await loadAllChapters();
  const progress = await readProgress(lab).catch(() => ({ version: 1 as const, chapters: {} as Record<string, { done: string[] }> }));
  for (const { chapter } of chapters) {
    const done = progress.chapters[chapter.id]?.done.length ?? 0;
    let state = `${done}/${chapter.steps.length} steps`;
    if (done === 0) state = 'not started';
    else if (done === chapter.steps.length) state = 'done';
    output.write(`${chapter.id.padEnd(12)} ${chapter.title.padEnd(36)} ${state}\n`);
    if (chapter.summary) output.write(`${''.padEnd(12)} ${chapter.summary}\n`);
  }
  return EXIT_OK;
}
