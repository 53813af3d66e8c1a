/** muster supervising the real opencode CLI, end to end (see ../muster-suite.ts). */
import { describeMuster } from '../muster-suite.js';

describeMuster('opencode');
