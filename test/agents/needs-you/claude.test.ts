/** Needs-you with the real claude CLI under muster (needs-you-suite.ts). */
import { describeNeedsYou } from './needs-you-suite.js';

describeNeedsYou('claude');
