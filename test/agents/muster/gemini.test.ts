/** muster supervising the real gemini CLI, end to end (see ../muster-suite.ts). */
import { describeMuster } from '../muster-suite.js';

describeMuster('gemini');
