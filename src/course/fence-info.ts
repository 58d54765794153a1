/**
 * Split a fence's info string ("sh step=overns on=node1,node2") into its
 * language and its key=value attributes. Values contain no spaces; lists are
 * comma-separated.
 */
export function parseFenceInfo(info: string): { language: string; attributes: Map<string, string>; bad: string[] } {
  const [language = '', ...words] = info.trim().split(/\s+/);
  const attributes = new Map<string, string>();
  const bad: string[] = [];
  for (const word of words) {
    const match = /^([a-z][a-z-]*)=(\S+)$/.exec(word);
    if (match) attributes.set(match[1] as string, match[2] as string);
    else if (/^[a-z][a-z-]*$/.test(word)) attributes.set(word, 'true');
    else bad.push(word);
  }
  return { language, attributes, bad };
}
