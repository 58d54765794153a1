import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository (or installed package) root: book/, labs/ and vm/ live here. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The chapters; OVERLAB_BOOK_DIR points overlab at a course author's own book. */
export const BOOK_DIR = process.env.OVERLAB_BOOK_DIR ?? path.join(PACKAGE_ROOT, 'book');
export const LABS_DIR = path.join(PACKAGE_ROOT, 'labs');

/**
 * Return the directory of labs' state, progress and logs. /run is cleared at
 * boot, as are the lab's namespaces, so the two cannot disagree after a reboot.
 */
export function stateRoot(): string {
  return process.env.OVERLAB_STATE_DIR ?? '/run/overlab';
}

export function labDir(lab: string): string {
  return path.join(stateRoot(), 'labs', lab);
}

export function cacheDir(): string {
  return path.join(stateRoot(), 'cache');
}
