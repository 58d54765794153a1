import type { Writable } from 'node:stream';
import { parseAllChapters } from '../course/book.js';
import { EXIT_OK } from '../errors.js';
import { readProgress, type Progress } from '../runner/progress.js';
import { labName, type LabOptions } from './options.js';

/** Chapters in book order with the steps done in the lab. */
export async function listCommand(options: LabOptions, output: Writable): Promise<number> {
  const lab = labName(options);
  const chapters = await parseAllChapters();
  // An unreadable progress file is moved aside by readProgress; the listing then shows no progress.
  const progress: Progress = await readProgress(lab).catch(() => ({ version: 1, chapters: {} }));
  for (const chapter of chapters) {
    const entry = progress.chapters[chapter.id];
    const done = entry?.done.length ?? 0;
    // A chapter with modes counts the steps of the mode it was started in.
    const total = chapter.steps.filter((step) => !step.modes || !entry?.mode || step.modes.includes(entry.mode)).length;
    let state = `${done}/${total} steps${entry?.mode ? ` (${entry.mode})` : ''}`;
    if (done === 0) state = chapter.modes.length > 0 ? `not started; modes: ${chapter.modes.map((mode) => mode.name).join(', ')}` : 'not started';
    else if (done === total) state = `done${entry?.mode ? ` (${entry.mode})` : ''}`;
    output.write(`${chapter.id.padEnd(12)} ${chapter.title.padEnd(36)} ${state}\n`);
    if (chapter.summary) output.write(`${''.padEnd(12)} ${chapter.summary}\n`);
  }
  return EXIT_OK;
}
