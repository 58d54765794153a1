import MarkdownIt from 'markdown-it';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { OverlabError } from '../errors.js';
import { identifyCheckKind } from '../checks/registry.js';
import type { Chapter, ChapterMode, CheckSpec, HostVars, Step } from './chapter.js';
import { parseFenceInfo } from './fence-info.js';

const ID = /^[a-z0-9][a-z0-9-]*$/;
const STEP_ATTRIBUTES = new Set(['step', 'on', 'expect', 'timeout', 'explanatory', 'save', 'mode']);
const CHECK_ATTRIBUTES = new Set(['check', 'on', 'holds-at-start', 'mode']);
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;
const DEFAULT_STEP_TIMEOUT_S = 60;

const markdown = new MarkdownIt();

/**
 * Parse a chapter: YAML front matter, then Markdown whose fenced blocks with
 * a `step=` attribute are steps and with a `check=` attribute are checks.
 * Every error names file:line.
 */
export function parseChapter(text: string, file: string): Chapter {
  const { frontMatter, body, bodyOffset } = splitFrontMatter(text, file);
  const fail = (line: number, message: string): never => {
    throw new OverlabError('COURSE_SYNTAX', `${file}:${line}: ${message}`, { hint: 'fix the chapter file; the course format is described in docs/course-format.md' });
  };

  const id = requireString(frontMatter, 'id', file);
  const title = requireString(frontMatter, 'title', file);
  const modes = parseModes(frontMatter.modes, file);
  const topology = modes.length > 0 ? (modes[0] as ChapterMode).topology : requireString(frontMatter, 'topology', file);
  const vars = parseVars(frontMatter.hosts, file);
  const modesOf = (attributes: Map<string, string>, line: number): string[] | undefined => {
    const value = attributes.get('mode');
    if (value === undefined) return undefined;
    const names = value.split(',');
    for (const name of names) {
      if (!modes.some((mode) => mode.name === name)) fail(line, `unknown mode "${name}" (the front matter defines: ${modes.map((mode) => mode.name).join(', ') || 'none'})`);
    }
    return names;
  };

  const lines = body.split('\n');
  const tokens = markdown.parse(body, {});
  const steps: Step[] = [];
  const checks: CheckSpec[] = [];
  let heading = title;
  let proseStart = 0;
  let intro: string | undefined;

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (!token) continue;
    if (token.type === 'heading_open' && (token.tag === 'h2' || token.tag === 'h3')) {
      heading = tokens[index + 1]?.content ?? heading;
      continue;
    }
    if (token.type !== 'fence' || !token.map) continue;
    const { attributes, bad } = parseFenceInfo(token.info);
    const isStep = attributes.has('step');
    const isCheck = attributes.has('check');
    if (!isStep && !isCheck) continue;

    const line = token.map[0] + 1 + bodyOffset;
    const prose = lines.slice(proseStart, token.map[0]);
    proseStart = token.map[1];
    // Prose before a heading still talks about the step above it; from the
    // heading on it leads to the next step.
    const headingAt = isStep ? prose.findLastIndex((text) => /^#{1,6}\s/.test(text)) : -1;
    let trailingLines = isStep ? [] : prose;
    let leadingLines = isStep ? prose : [];
    if (headingAt !== -1) {
      trailingLines = prose.slice(0, headingAt);
      leadingLines = prose.slice(headingAt);
    }
    const trailing = trailingLines.join('\n').trim();
    const leading = leadingLines.join('\n').trim();
    const lastStep = steps.at(-1);
    if (trailing) {
      if (lastStep) lastStep.afterword = [lastStep.afterword, trailing].filter(Boolean).join('\n\n');
      else intro = [intro, trailing].filter(Boolean).join('\n\n');
    }
    if (bad.length > 0) fail(line, `invalid fence attribute "${bad[0]}" (expected key=value)`);
    if (isStep && isCheck) fail(line, 'a block is either a step or a check, not both');

    const hosts = (attributes.get('on') ?? '').split(',').filter(Boolean);
    if (hosts.length === 0) fail(line, 'missing on=HOST[,HOST...]');

    if (isStep) {
      for (const key of attributes.keys()) if (!STEP_ATTRIBUTES.has(key)) fail(line, `unknown step attribute "${key}" (known: ${[...STEP_ATTRIBUTES].join(', ')})`);
      const stepId = attributes.get('step') as string;
      if (!ID.test(stepId)) fail(line, `invalid step id "${stepId}" (use lowercase letters, digits and dashes)`);
      const expect = attributes.get('expect') ?? 'success';
      if (expect !== 'success' && expect !== 'fail') fail(line, `invalid expect=${expect} (use expect=fail or leave it out)`);
      const timeout = Number(attributes.get('timeout') ?? DEFAULT_STEP_TIMEOUT_S);
      if (!Number.isFinite(timeout) || timeout <= 0) fail(line, `invalid timeout=${attributes.get('timeout')} (seconds, e.g. timeout=30)`);
      const script = token.content.replace(/\n$/, '');
      if (!script.trim()) fail(line, `step "${stepId}" has no commands`);
      const save = attributes.get('save');
      if (save !== undefined && !VARIABLE.test(save)) fail(line, `invalid save=${save} (use an upper-case shell variable name, e.g. save=JOIN_TOKEN)`);
      const stepModes = modesOf(attributes, line);

      const previous = steps.at(-1);
      let step: Step;
      if (previous && previous.id === stepId) {
        if (save !== undefined || stepModes !== undefined) fail(line, `put save= and mode= on the first block of step "${stepId}"`);
        // Later blocks of a step share the first block's expect=, timeout= and explanatory.
        const conflicting =
          (attributes.has('expect') && (expect === 'fail') !== previous.expectFailure) ||
          (attributes.has('timeout') && timeout * 1000 !== previous.timeoutMs) ||
          (attributes.has('explanatory') && !previous.explanatory);
        if (conflicting) fail(line, `step "${stepId}" sets expect=, timeout= or explanatory differently from its first block; set them on the first block only`);
        step = previous;
      } else {
        if (steps.some((existing) => existing.id === stepId)) fail(line, `step id "${stepId}" is used twice`);
        step = {
          id: stepId,
          title: heading,
          explanation: leading,
          afterword: '',
          runs: [],
          expectFailure: expect === 'fail',
          explanatory: attributes.get('explanatory') === 'true',
          timeoutMs: timeout * 1000,
          save,
          modes: stepModes,
          location: { file, line },
        };
        steps.push(step);
      }
      for (const host of hosts) {
        if (step.runs.some((run) => run.host === host)) fail(line, `step "${stepId}" already has commands for ${host}`);
        step.runs.push({ host, script, location: { file, line } });
      }
      continue;
    }

    for (const key of attributes.keys()) if (!CHECK_ATTRIBUTES.has(key)) fail(line, `unknown check attribute "${key}" (known: ${[...CHECK_ATTRIBUTES].join(', ')})`);
    const checkId = attributes.get('check') as string;
    if (!ID.test(checkId)) fail(line, `invalid check id "${checkId}" (use lowercase letters, digits and dashes)`);
    if (checks.some((existing) => existing.id === checkId)) fail(line, `check id "${checkId}" is used twice`);
    let parsed: unknown;
    try {
      parsed = parseYaml(token.content);
    } catch (error) {
      const { offset, detail } = yamlError(error, token.content);
      // The block's YAML starts on the line after the fence.
      fail(line + offset, `check "${checkId}" is not valid YAML: ${detail}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(line, `check "${checkId}" must be a YAML mapping`);
    const bodyObject = parsed as Record<string, unknown>;
    const identified = identifyCheckKind(bodyObject);
    if ('error' in identified) fail(line, `check "${checkId}": ${identified.error}`);
    const { kind } = identified as { kind: string };
    const hint = bodyObject.hint === undefined ? undefined : String(bodyObject.hint);
    const weight = bodyObject.weight === undefined ? 1 : Number(bodyObject.weight);
    if (!Number.isInteger(weight) || weight < 1) fail(line, `check "${checkId}": "weight:" must be a positive integer`);
    checks.push({
      id: checkId,
      kind,
      hosts,
      body: bodyObject,
      title: String(bodyObject.title ?? checkId),
      hint,
      weight,
      afterStep: steps.at(-1)?.id,
      holdsAtStart: attributes.get('holds-at-start') === 'true',
      modes: modesOf(attributes, line),
      location: { file, line },
    });
  }

  if (steps.length === 0) fail(1 + bodyOffset, 'the chapter has no steps (fenced blocks with step=ID on=HOST)');
  const closing = lines.slice(proseStart).join('\n').trim();
  const lastStep = steps.at(-1) as Step;
  if (closing) lastStep.afterword = [lastStep.afterword, closing].filter(Boolean).join('\n\n');
  return {
    id,
    title,
    summary: String(frontMatter.summary ?? ''),
    file,
    topology,
    modes,
    vars,
    intro: intro ?? '',
    steps,
    checks,
  };
}

function splitFrontMatter(text: string, file: string): { frontMatter: Record<string, unknown>; body: string; bodyOffset: number } {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) {
    throw new OverlabError('COURSE_SYNTAX', `${file}:1: missing YAML front matter (--- id, title, topology ---)`);
  }
  let frontMatter: unknown;
  try {
    frontMatter = parseYaml(match[1] as string);
  } catch (error) {
    const { offset, detail } = yamlError(error, match[1] as string);
    throw new OverlabError('COURSE_SYNTAX', `${file}:${1 + offset}: invalid front matter: ${detail}`, { hint: 'fix the YAML between the --- lines' });
  }
  if (typeof frontMatter !== 'object' || frontMatter === null) {
    throw new OverlabError('COURSE_SYNTAX', `${file}:2: the front matter must be a YAML mapping`);
  }
  const bodyOffset = match[0].split('\n').length - 1;
  return { frontMatter: frontMatter as Record<string, unknown>, body: text.slice(match[0].length), bodyOffset };
}

function parseModes(raw: unknown, file: string): ChapterMode[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OverlabError('COURSE_SYNTAX', `${file}:2: "modes" must map mode names to { topology, description }`);
  return Object.entries(raw as Record<string, unknown>).map(([name, value]) => {
    const mode = (value ?? {}) as Record<string, unknown>;
    if (!ID.test(name) || typeof mode.topology !== 'string') {
      throw new OverlabError('COURSE_SYNTAX', `${file}:2: mode "${name}" needs a lowercase name and "topology"`);
    }
    return {
      name,
      topology: mode.topology,
      description: String(mode.description ?? ''),
      requires: mode.requires === undefined ? undefined : String(mode.requires),
    };
  });
}

/** Return the line of a YAML error within the parsed text (1-based) and its first sentence without the position. */
function yamlError(error: unknown, text: string): { offset: number; detail: string } {
  if (!(error instanceof YAMLParseError)) return { offset: 1, detail: String(error) };
  const detail = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  // An unclosed bracket is reported at the end of the text, past its last line.
  const lines = text.replace(/\n$/, '').split('\n').length;
  return { offset: Math.min(error.linePos?.[0]?.line ?? 1, lines), detail };
}

function requireString(frontMatter: Record<string, unknown>, key: string, file: string): string {
  const value = frontMatter[key];
  if (typeof value !== 'string' || !value.trim()) {
    throw new OverlabError('COURSE_SYNTAX', `${file}:2: the front matter needs "${key}"`);
  }
  return value;
}

function parseVars(raw: unknown, file: string): Record<string, HostVars> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null) throw new OverlabError('COURSE_SYNTAX', `${file}:2: "hosts" must map host names to variables`);
  const vars: Record<string, HostVars> = {};
  for (const [host, values] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof values !== 'object' || values === null) throw new OverlabError('COURSE_SYNTAX', `${file}:2: hosts.${host} must map variable names to values`);
    vars[host] = Object.fromEntries(Object.entries(values as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
  }
  return vars;
}
