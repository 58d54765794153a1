import { stat } from 'node:fs/promises';
import path from 'node:path';
import { OverlabError } from '../errors.js';
import { writeFileAtomic } from '../lab/atomic-file.js';

/** Write a report to a path the user gave, in a directory that must already exist. */
export async function writeReportFile(file: string, content: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const isDirectory = await stat(dir).then((info) => info.isDirectory(), () => false);
  if (!isDirectory) {
    throw new OverlabError('BAD_ARGUMENT', `cannot write ${file}: directory ${dir} does not exist`, { hint: 'create it first, or give a path in an existing directory' });
  }
  if (await stat(file).then((info) => info.isDirectory(), () => false)) {
    throw new OverlabError('BAD_ARGUMENT', `cannot write ${file}: it is a directory`, { hint: 'give a file name, such as report.xml in that directory' });
  }
  await writeFileAtomic(file, content);
}
