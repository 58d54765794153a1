import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { HostVars } from '../../src/course/chapter.js';
import type { ExecResult } from '../../src/exec.js';
import type { Topology } from '../../src/lab/topology.js';
import { hostVariables, resolveTemplates } from '../../src/checks/template.js';

/** The check bodies of one chapter of the book, as written and as they run on a host. */
export interface ChapterChecks {
  /** The YAML body of a check block, with ${...} unresolved. */
  body(id: string): Record<string, unknown>;
  /** The body as it runs on `host`, with ${...} resolved. */
  resolved(id: string, host: string): Record<string, unknown>;
}

export function chapterChecks(chapterId: string, topology: Topology): ChapterChecks {
  const text = fs.readFileSync(new URL(`../../book/${chapterId}.md`, import.meta.url), 'utf8');
  const frontMatter = parseYaml(text.split(/^---$/m)[1] ?? '') as { hosts: Record<string, HostVars> };
  const vars = hostVariables(topology, frontMatter.hosts);
  const body = (id: string): Record<string, unknown> => {
    const block = new RegExp(`^\`\`\`yaml check=${id} .*\\n([\\s\\S]*?)^\`\`\``, 'm').exec(text);
    if (!block) throw new Error(`book/${chapterId}.md has no check ${id}`);
    return parseYaml(block[1] ?? '') as Record<string, unknown>;
  };
  return { body, resolved: (id, host) => resolveTemplates(body(id), host, vars) as Record<string, unknown> };
}

export function execResult(argv: readonly string[], exitCode: number, stdout: string, stderr = ''): ExecResult {
  return { command: argv.join(' '), exitCode, stdout, stderr, timedOut: false, interrupted: false, durationMs: 0 };
}

/** Remove the VXLAN packets that `source` sent, with their inner lines, from tcpdump output. */
export function withoutPacketsFrom(output: string, source: string): string {
  const remaining: string[] = [];
  const lines = output.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.includes(` IP ${source}.`) && line.includes(': VXLAN,')) {
      index++;
      continue;
    }
    remaining.push(line);
  }
  return remaining.join('\n');
}
