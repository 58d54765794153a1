import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChapter } from '../../src/course/book.js';
import { parseChapter } from '../../src/course/parser.js';
import { OverlabError } from '../../src/errors.js';

const BOOK = path.resolve(import.meta.dirname, '../../book');
const LABS = path.resolve(import.meta.dirname, '../../labs');

const FRONT = `---
id: test-chapter
title: Test
topology: overlay
---
`;

/** Parse a chapter text and return the message of the COURSE_SYNTAX error it raises. */
function syntaxError(text: string): string {
  try {
    parseChapter(text, 'book/test.md');
  } catch (error) {
    expect(error).toBeInstanceOf(OverlabError);
    expect((error as OverlabError).code).toBe('COURSE_SYNTAX');
    return (error as OverlabError).message;
  }
  throw new Error('the chapter parsed without an error');
}

describe('chapter 2', () => {
  it('parses every step in book order', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    expect(chapter.steps.map((step) => step.id)).toEqual([
      'overns',
      'vxlan',
      'container',
      'attach',
      'first-ping',
      'empty-tables',
      'arp-unanswered',
      'entries-node1',
      'half-ping',
      'learned-entry',
      'entries-node2',
      'ping',
      'tables',
      'capture-vxlan',
      'arp-answered',
    ]);
  });

  it('groups per-host blocks into one step', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const attach = chapter.steps.find((step) => step.id === 'attach');
    expect(attach?.runs.map((run) => run.host)).toEqual(['node1', 'node2']);
    expect(attach?.runs[0]?.script).toContain('address 02:42:c0:a8:00:02');
    expect(attach?.runs[1]?.script).toContain('address 02:42:c0:a8:00:03');
  });

  it('keeps the real commands verbatim', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const vxlan = chapter.steps.find((step) => step.id === 'vxlan');
    expect(vxlan?.runs[0]?.script.split('\n')[0]).toBe('ip link add dev vxlan1 type vxlan id 42 proxy learning dstport 4789');
  });

  it('marks the failing pings', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const failing = chapter.steps.filter((step) => step.expectFailure).map((step) => step.id);
    expect(failing).toEqual(['first-ping', 'arp-unanswered', 'half-ping']);
  });

  it('attaches checks to the step before them', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const byStep = Object.fromEntries(chapter.checks.map((check) => [check.id, check.afterStep]));
    expect(byStep['overns-exists']).toBe('overns');
    expect(byStep.vxlan1).toBe('vxlan');
    expect(byStep['container-eth0']).toBe('attach');
    expect(byStep['peer-fdb']).toBe('entries-node2');
    expect(byStep['overlay-ping']).toBe('ping');
    expect(byStep['vxlan-on-the-wire']).toBe('arp-answered');
  });

  it('records each check line', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const text = readFileSync(path.join(BOOK, 'chapter-2.md'), 'utf8').split('\n');
    for (const check of chapter.checks) {
      expect(text[check.location.line - 1]).toContain(`check=${check.id}`);
    }
  });

  it('splits prose at headings', async () => {
    const { chapter } = await loadChapter("chapter-2", BOOK, LABS);
    const [overns, vxlan] = chapter.steps;
    expect(overns?.explanation).toMatch(/^## An overlay namespace with a bridge/);
    expect(overns?.afterword).toContain('bind-mounts the new namespace');
    expect(vxlan?.explanation).toMatch(/^## The VXLAN device/);
    expect(chapter.intro).toContain('# Chapter 2');
  });
});

describe('parseChapter errors', () => {
  it('needs front matter', () => {
    expect(syntaxError('# no front matter\n')).toMatch(/^book\/test.md:1: missing YAML front matter/);
  });

  it('needs a topology', () => {
    expect(syntaxError('---\nid: x\ntitle: X\n---\n')).toContain('needs "topology"');
  });

  it('needs at least one step', () => {
    expect(syntaxError(`${FRONT}Only prose.\n`)).toContain('has no steps');
  });

  it('names the line of a step without hosts', () => {
    expect(syntaxError(`${FRONT}\ntext\n\n\`\`\`sh step=one\nip link\n\`\`\`\n`)).toBe('book/test.md:9: missing on=HOST[,HOST...]');
  });

  it('rejects an unknown step attribute', () => {
    expect(syntaxError(`${FRONT}\`\`\`sh step=one on=node1 retries=3\nip link\n\`\`\`\n`)).toContain('unknown step attribute "retries"');
  });

  it('rejects a bad expect value', () => {
    expect(syntaxError(`${FRONT}\`\`\`sh step=one on=node1 expect=maybe\nip link\n\`\`\`\n`)).toContain('invalid expect=maybe');
  });

  it('rejects a duplicate step id', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`sh step=two on=node1\nip addr\n\`\`\`\n\n\`\`\`sh step=one on=node2\nip link\n\`\`\`\n`;
    expect(syntaxError(text)).toContain('step id "one" is used twice');
  });

  it('rejects two blocks for one host', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`sh step=one on=node1\nip addr\n\`\`\`\n`;
    expect(syntaxError(text)).toContain('already has commands for node1');
  });

  it('rejects invalid check YAML', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`yaml check=c1 on=node1\nlink: [unclosed\n\`\`\`\n`;
    expect(syntaxError(text)).toMatch(/^book\/test.md:11: check "c1" is not valid YAML/);
  });

  it('rejects attributes on a later block', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`sh step=one on=node2 explanatory\nip link\n\`\`\`\n`;
    expect(syntaxError(text)).toContain('sets expect=, timeout= or explanatory differently from its first block');
  });

  it('rejects a check without a kind', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`yaml check=c1 on=node1\nexpect: {}\n\`\`\`\n`;
    expect(syntaxError(text)).toContain('no check kind key');
  });

  it('rejects an unknown expectation', () => {
    const text = `${FRONT}\`\`\`sh step=one on=node1\nip link\n\`\`\`\n\n\`\`\`yaml check=c1 on=node1\nlink: br0\nexpect:\n  colour: blue\n\`\`\`\n`;
    expect(syntaxError(text)).toContain('unknown expectation "colour"');
  });

  it('rejects an unknown host on load', async () => {
    const dir = path.join(import.meta.dirname, '../fixtures/book-unknown-host');
    await expect(loadChapter('bad-host', dir, LABS)).rejects.toThrow(/chapter.md:6: unknown host "node9"/);
  });
});

describe('chapter 1 modes', () => {
  it('lists both modes', async () => {
    const { chapter } = await loadChapter('chapter-1', BOOK, LABS, 'classic');
    expect(chapter.modes.map((mode) => mode.name)).toEqual(['classic', 'swarm']);
  });

  it('loads the classic topology', async () => {
    const { topology } = await loadChapter('chapter-1', BOOK, LABS, 'classic');
    expect(topology.name).toBe('overlay-classic');
  });

  it('loads the swarm topology', async () => {
    const { topology } = await loadChapter('chapter-1', BOOK, LABS, 'swarm');
    expect(topology.name).toBe('overlay');
  });

  it('drops swarm steps in classic mode', async () => {
    const { chapter } = await loadChapter('chapter-1', BOOK, LABS, 'classic');
    const ids = chapter.steps.map((step) => step.id);
    expect(ids).not.toContain('swarm-init');
    expect(ids).toContain('serf');
  });

  it('drops classic checks in swarm mode', async () => {
    const { chapter } = await loadChapter('chapter-1', BOOK, LABS, 'swarm');
    const ids = chapter.checks.map((check) => check.id);
    expect(ids).not.toContain('serf-join');
    expect(ids).not.toContain('wire-classic');
    expect(ids).toContain('wire-swarm');
  });

  it('saves the join token', async () => {
    const { chapter } = await loadChapter('chapter-1', BOOK, LABS, 'swarm');
    expect(chapter.steps.find((step) => step.id === 'join-token')?.save).toBe('JOIN_TOKEN');
  });

  it('moves checks after a dropped step', async () => {
    const { chapter } = await loadChapter('chapter-1', BOOK, LABS, 'swarm');
    const store = chapter.checks.find((check) => check.id === 'pushed-fdb');
    expect(store?.afterStep).toBe('new-entries');
  });

  it('rejects an unknown mode', async () => {
    await expect(loadChapter('chapter-1', BOOK, LABS, 'kubernetes')).rejects.toThrow('chapter chapter-1 has no mode "kubernetes"');
  });

  it('rejects a mode attribute without modes', () => {
    expect(syntaxError(`${FRONT}\`\`\`sh step=one on=node1 mode=classic\nip link\n\`\`\`\n`)).toContain('unknown mode "classic"');
  });

  it('rejects a lower-case save name', () => {
    expect(syntaxError(`${FRONT}\`\`\`sh step=one on=node1 save=token\nip link\n\`\`\`\n`)).toContain('invalid save=token');
  });
});
