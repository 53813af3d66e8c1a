/** Needs-you with the real gemini CLI under muster (needs-you-suite.ts): read from its screen alone. */
import { describeNeedsYou } from './needs-you-suite.js';

describeNeedsYou('gemini');
