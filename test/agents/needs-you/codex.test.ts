/** Needs-you with the real codex CLI under muster (needs-you-suite.ts). */
import { describeNeedsYou } from './needs-you-suite.js';

describeNeedsYou('codex');
