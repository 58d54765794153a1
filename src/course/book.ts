import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { loadTopology, type Topology } from '../lab/topology.js';
import { BOOK_DIR, LABS_DIR } from '../paths.js';
import type { Chapter } from './chapter.js';
import { parseChapter } from './parser.js';

export interface LoadedChapter {
  chapter: Chapter;
  topology: Topology;
}

/** Chapter ids in book order (file names sort as chapter-1, chapter-2, ...). */
export async function listChapterFiles(dir = BOOK_DIR): Promise<string[]> {
  const entries = await readdir(dir);
  return entries
    .filter((entry) => entry.endsWith('.md') && entry !== 'README.md')
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((entry) => path.join(dir, entry));
}

export async function loadAllChapters(dir = BOOK_DIR, labsDir = LABS_DIR): Promise<LoadedChapter[]> {
  const files = await listChapterFiles(dir);
  return Promise.all(files.map((file) => loadChapterFile(file, labsDir)));
}

/** Load a chapter by id ("chapter-2"), validated against its topology. */
export async function loadChapter(id: string, dir = BOOK_DIR, labsDir = LABS_DIR): Promise<LoadedChapter> {
  const chapters = await loadAllChapters(dir, labsDir);
  const found = chapters.find((loaded) => loaded.chapter.id === id);
  if (!found) {
    throw new OverlabError('UNKNOWN_CHAPTER', `unknown chapter "${id}"`, {
      hint: `use one of: ${chapters.map((loaded) => loaded.chapter.id).join(', ')} (overlab list shows them)`,
    });
  }
  return found;
}

export async function loadChapterFile(file: string, labsDir = LABS_DIR): Promise<LoadedChapter> {
  const relative = path.relative(process.cwd(), file) || file;
  const chapter = parseChapter(await readFile(file, 'utf8'), relative.startsWith('..') ? file : relative);
  const topology = await loadTopology(chapter.topology, labsDir);
  const known = new Set(topology.hosts.map((host) => host.name));
  const unknownHost = (host: string, where: { file: string; line: number }): never => {
    throw new OverlabError('COURSE_SYNTAX', `${where.file}:${where.line}: unknown host "${host}"`, {
      hint: `topology "${topology.name}" has ${[...known].join(', ')}`,
    });
  };
  for (const step of chapter.steps) for (const run of step.runs) if (!known.has(run.host)) unknownHost(run.host, run.location);
  for (const check of chapter.checks) for (const host of check.hosts) if (!known.has(host)) unknownHost(host, check.location);
  for (const host of Object.keys(chapter.vars)) if (!known.has(host)) unknownHost(host, { file: chapter.file, line: 2 });
  return { chapter, topology };
}
