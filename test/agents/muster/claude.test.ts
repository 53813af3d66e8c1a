/** muster supervising the real claude CLI, end to end (see ../muster-suite.ts). */
import { describeMuster } from '../muster-suite.js';

describeMuster('claude');
