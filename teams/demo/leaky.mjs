// Demo agent "leaky": stands in for an agent with a memory leak. Every second it
// allocates 8 MiB more, fills it so the pages are really resident, keeps it, and
// prints its RSS. The team gives it a 96 MiB limit with on_memory: restart, so
// muster restarts it again and again until its circuit opens. As a safety net
// it stops growing at 512 MiB when nothing enforces a limit.
import { exitOnSignals, log, scaled } from './common.mjs';

const MiB = 1024 * 1024;
const CHUNK = 8 * MiB;
const CAP = 512 * MiB;
const kept = [];

function rss() {
  return `${Math.round(process.memoryUsage().rss / MiB)} MiB`;
}

exitOnSignals('leaky');
log('leaky', `starting, rss ${rss()}`);

setInterval(() => {
  if (kept.length * CHUNK >= CAP) {
    log('leaky', `holding ${kept.length * 8} MiB (safety cap), rss ${rss()}`);
    return;
  }
  // allocUnsafe + fill with non-zero bytes writes every page, so RSS grows.
  kept.push(Buffer.allocUnsafe(CHUNK).fill((kept.length % 255) + 1));
  log('leaky', `leaked ${kept.length * 8} MiB so far, rss ${rss()}`);
}, scaled(1_000));
