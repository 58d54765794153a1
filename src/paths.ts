import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';

/** The repository (or installed package) root: book/, labs/ and vm/ live here. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The chapters; OVERLAB_BOOK_DIR points overlab at a course author's own book. */
export const BOOK_DIR = process.env.OVERLAB_BOOK_DIR ?? path.join(PACKAGE_ROOT, 'book');
export const LABS_DIR = path.join(PACKAGE_ROOT, 'labs');

/**
 * Return the directory of labs' state, progress and logs. /run is cleared at
 * boot, as are the lab's namespaces, so the two cannot disagree after a reboot.
 * A user who is not root (the container provider on Docker Desktop) gets
 * their runtime directory, or ~/.local/state.
 */
export function stateRoot(): string {
  if (process.env.OVERLAB_STATE_DIR) return process.env.OVERLAB_STATE_DIR;
  if (process.getuid?.() === 0) return '/run/overlab';
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime ? path.join(runtime, 'overlab') : path.join(os.homedir(), '.local', 'state', 'overlab');
}

export function labDir(lab: string): string {
  return path.join(stateRoot(), 'labs', lab);
}

export function cacheDir(): string {
  return path.join(stateRoot(), 'cache');
}
