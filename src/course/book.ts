import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { loadTopology, type Topology } from '../lab/topology.js';
import { BOOK_DIR, LABS_DIR } from '../paths.js';
import type { Chapter } from './chapter.js';
import { parseChapter } from './parser.js';
import { hostVariables, resolveTemplates, TemplateError } from '../checks/template.js';

export interface LoadedChapter {
  chapter: Chapter;
  topology: Topology;
}

/** Chapter files in book order (file names sort as chapter-1, chapter-2, ...). */
export async function listChapterFiles(dir = BOOK_DIR): Promise<string[]> {
  const entries = await readdir(dir).catch(() => {
    throw new OverlabError('COURSE_SYNTAX', `the book directory ${dir} cannot be read`, { hint: 'point OVERLAB_BOOK_DIR at a directory of chapter files, or unset it' });
  });
  return entries
    .filter((entry) => entry.endsWith('.md') && entry !== 'README.md')
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((entry) => path.join(dir, entry));
}

/** Parse every chapter as written, with all of its modes' steps and checks. */
export async function parseAllChapters(dir = BOOK_DIR): Promise<Chapter[]> {
  const files = await listChapterFiles(dir);
  const chapters = await Promise.all(files.map(async (file) => parseChapter(await readFile(file, 'utf8'), displayPath(file))));
  for (const [index, chapter] of chapters.entries()) {
    const first = chapters.findIndex((other) => other.id === chapter.id);
    if (first !== index) {
      throw new OverlabError('COURSE_SYNTAX', `${chapter.file}:2: chapter id "${chapter.id}" is already used by ${chapters[first]?.file}`, { hint: 'give each chapter its own id' });
    }
  }
  return chapters;
}

/** Load a chapter by id ("chapter-2") in a mode, validated against that mode's topology. */
export async function loadChapter(id: string, dir = BOOK_DIR, labsDir = LABS_DIR, mode?: string): Promise<LoadedChapter> {
  return selectMode(findChapter(await parseAllChapters(dir), id), mode, labsDir);
}

/** Find a chapter by id among parsed chapters, or raise UNKNOWN_CHAPTER listing the ids. */
export function findChapter(chapters: readonly Chapter[], id: string): Chapter {
  const found = chapters.find((chapter) => chapter.id === id);
  if (!found) {
    throw new OverlabError('UNKNOWN_CHAPTER', `unknown chapter "${id}"`, {
      hint: `use one of: ${chapters.map((chapter) => chapter.id).join(', ')} (overlab list shows them)`,
    });
  }
  return found;
}

/**
 * Keep the steps and checks of one mode and load its topology. Without a
 * mode, a chapter that has modes is loaded in its first one.
 */
export async function selectMode(chapter: Chapter, mode: string | undefined, labsDir = LABS_DIR): Promise<LoadedChapter> {
  let selected: Chapter = chapter;
  if (chapter.modes.length > 0) {
    const name = mode ?? (chapter.modes[0]?.name as string);
    const chosen = chapter.modes.find((candidate) => candidate.name === name);
    if (!chosen) {
      throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no mode "${name}"`, {
        hint: `use --mode ${chapter.modes.map((candidate) => candidate.name).join(' or --mode ')}`,
      });
    }
    const inMode = (modes: string[] | undefined) => modes === undefined || modes.includes(name);
    selected = {
      ...chapter,
      topology: chosen.topology,
      mode: name,
      steps: chapter.steps.filter((step) => inMode(step.modes)),
      checks: chapter.checks.filter((check) => inMode(check.modes)),
    };
    // A check placed after a step of another mode runs after the closest earlier step of this one.
    const order = chapter.steps.map((step) => step.id);
    const kept = new Set(selected.steps.map((step) => step.id));
    selected.checks = selected.checks.map((check) => {
      let index = check.afterStep === undefined ? -1 : order.indexOf(check.afterStep);
      while (index >= 0 && !kept.has(order[index] as string)) index--;
      return { ...check, afterStep: index >= 0 ? order[index] : undefined };
    });
  } else if (mode !== undefined) {
    throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no modes, so --mode ${mode} does not apply`, { hint: 'leave out --mode' });
  }
  const topology = await loadTopology(selected.topology, labsDir).catch((error: unknown) => {
    if (error instanceof OverlabError && error.code === 'UNKNOWN_LAB') {
      throw new OverlabError('COURSE_SYNTAX', `${chapter.file}:2: ${error.message}`, { hint: error.hint });
    }
    throw error;
  });
  validateHosts(selected, topology);
  validateVariables(selected, topology);
  return { chapter: selected, topology };
}

/** Load the chapters (each in the right mode) that run on a lab of the given topology. */
export async function chaptersForTopology(topologyName: string, dir = BOOK_DIR, labsDir = LABS_DIR): Promise<LoadedChapter[]> {
  const loaded: LoadedChapter[] = [];
  for (const chapter of await parseAllChapters(dir)) {
    const mode = chapter.modes.find((candidate) => candidate.topology === topologyName);
    if (mode) loaded.push(await selectMode(chapter, mode.name, labsDir));
    else if (chapter.modes.length === 0 && chapter.topology === topologyName) loaded.push(await selectMode(chapter, undefined, labsDir));
  }
  return loaded;
}

function validateHosts(chapter: Chapter, topology: Topology): void {
  const known = new Set(topology.hosts.map((host) => host.name));
  const unknownHost = (host: string, where: { file: string; line: number }): never => {
    throw new OverlabError('COURSE_SYNTAX', `${where.file}:${where.line}: unknown host "${host}"`, {
      hint: `topology "${topology.name}" has ${[...known].join(', ')}`,
    });
  };
  for (const step of chapter.steps) for (const run of step.runs) if (!known.has(run.host)) unknownHost(run.host, run.location);
  for (const check of chapter.checks) for (const host of check.hosts) if (!known.has(host)) unknownHost(host, check.location);
  for (const host of Object.keys(chapter.vars)) if (!known.has(host)) unknownHost(host, { file: chapter.file, line: 2 });
}

/** Resolve every check's ${...} for each of its hosts now, so that a typo is a file:line error, not a failing check. */
function validateVariables(chapter: Chapter, topology: Topology): void {
  const vars = hostVariables(topology, chapter.vars);
  for (const check of chapter.checks) {
    for (const host of check.hosts) {
      try {
        resolveTemplates(check.body, host, vars);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        throw new OverlabError('COURSE_SYNTAX', `${check.location.file}:${check.location.line}: check "${check.id}": ${error.message}`, {
          hint: 'define it under hosts: in the front matter',
        });
      }
    }
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
