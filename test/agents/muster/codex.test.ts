/** muster supervising the real codex CLI, end to end (see ../muster-suite.ts). */
import { describeMuster } from '../muster-suite.js';

describeMuster('codex');
