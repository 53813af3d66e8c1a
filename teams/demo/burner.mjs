// Demo agent "burner": stands in for a runaway agent that eats a whole core (a
// stuck build, a test in a tight loop). It spins in a busy loop and prints every
// second how many iterations it managed, so a CPU limit (30% in the team) shows
// as a drop in its rate. The loop yields every 50 ms so signals are handled.
import { exitOnSignals, log, scaled } from './common.mjs';

const REPORT_MS = scaled(1_000);
let count = 0;
let since = Date.now();
let sink = 0;

function spin() {
  const sliceEnd = Date.now() + 50;
  while (Date.now() < sliceEnd) {
    for (let i = 0; i < 10_000; i += 1) sink = (sink + i * i) % 1_000_003;
    count += 1;
  }
  const now = Date.now();
  if (now - since >= REPORT_MS) {
    const perSecond = Math.round((count * 1000) / (now - since));
    log('burner', `${perSecond} iterations/s (of 10k ops each)`);
    count = 0;
    since = now;
  }
  setImmediate(spin);
}

exitOnSignals('burner');
log('burner', 'burning CPU');
spin();
