/** muster supervising the real qwen CLI, end to end (see ../muster-suite.ts). */
import { describeMuster } from '../muster-suite.js';

describeMuster('qwen');
