/**
 * Render a chapter's Markdown prose for a terminal: headings and emphasis
 * are styled, inline code is highlighted, tables and code blocks are kept
 * as they are written, and paragraphs are rewrapped to the given width.
 */
export function renderProse(markdown: string, style: (style: 'bold' | 'cyan' | 'dim', text: string) => string, width = 78): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let paragraph: string[] = [];
  let inFence = false;

  const flush = () => {
    if (paragraph.length === 0) return;
    const bullet = /^(\s*[-*]|\s*\d+\.)\s+/.exec(paragraph[0] as string);
    const text = paragraph.map((line) => line.trim()).join(' ');
    out.push(...wrap(inline(text, style), width, bullet ? '  ' : ''));
    paragraph = [];
  };

  for (const line of lines) {
    if (/^```/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      out.push(style('dim', `    ${line}`));
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(style('bold', heading[1] as string));
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      out.push(inline(line, style));
      continue;
    }
    if (!line.trim()) {
      flush();
      if (out.length > 0 && out.at(-1) !== '') out.push('');
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) flush();
    paragraph.push(line);
  }
  flush();
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}

function inline(text: string, style: (style: 'bold' | 'cyan' | 'dim', text: string) => string): string {
  return text
    .replace(/`([^`]+)`/g, (_match, code: string) => style('cyan', code))
    .replace(/\*\*([^*]+)\*\*/g, (_match, bold: string) => style('bold', bold))
    .replace(/\*([^*\s][^*]*)\*/g, (_match, emphasis: string) => emphasis)
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)');
}

/** Wrap on spaces; escape sequences from styling do not count towards the width. */
function wrap(text: string, width: number, continuation: string): string[] {
  const visible = (part: string) => part.replace(/\u001b\[[0-9;]*m/g, '').length;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && visible(current) + 1 + visible(word) > width) {
      lines.push(current);
      current = continuation + word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
