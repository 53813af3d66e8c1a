/** Needs-you with the real qwen CLI under muster (needs-you-suite.ts). */
import { describeNeedsYou } from './needs-you-suite.js';

describeNeedsYou('qwen');
