/** The file system as the config loader sees it: injectable for tests. */
import { readdir, readFile, stat } from 'node:fs/promises';

/** A file's text, or why it could not be read (`file not found`, …). */
export type ReadResult = { text: string } | { error: string };

/** The two file operations the loader needs. */
export interface ConfigIo {
  /** Reads a UTF-8 text file. */
  readText(path: string): Promise<ReadResult>;
  /** The names of the entries of a folder; [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Whether a folder exists at `path` (following links). */
  isDir(path: string): Promise<boolean>;
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** The real file system. */
export const nodeIo: ConfigIo = {
  async readText(path) {
    try {
      return { text: await readFile(path, 'utf8') };
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { error: 'file not found' };
      if (code === 'EISDIR') return { error: 'is a folder, not a file' };
      if (code === 'EACCES' || code === 'EPERM') return { error: 'cannot read the file: permission denied' };
      return { error: `cannot read the file: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
  async listDir(path) {
    try {
      return (await readdir(path)).sort();
    } catch {
      return [];
    }
  },
  async isDir(path) {
    return stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
  },
};
