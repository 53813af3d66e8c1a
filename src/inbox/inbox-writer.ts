/**
 * The agent's side of the inbox: a record is durable the moment the command returns
 * (temp file, fsync, rename into `.muster/inbox/`), whether or not a supervisor runs.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { makePrivateDir, writeFileAtomic } from '../sys/atomic-file.js';
import type { InboxRecord } from './record.js';

/** Record ids sort by time, so the supervisor takes records in the order they were written. */
export function newRecordId(now: number): string {
  return `${now.toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function writeRecord(inboxDir: string, record: InboxRecord): string {
  makePrivateDir(inboxDir);
  const file = path.join(inboxDir, `${record.id}.json`);
  writeFileAtomic(file, JSON.stringify(record));
  return file;
}
