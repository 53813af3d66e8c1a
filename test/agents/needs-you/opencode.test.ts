/** Needs-you with the real opencode under muster (needs-you-suite.ts): its plugin reports the permission prompt. */
import { describeNeedsYou } from './needs-you-suite.js';

describeNeedsYou('opencode');
