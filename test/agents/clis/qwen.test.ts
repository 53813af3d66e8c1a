/** The harness's own checks against the real qwen CLI (see ../cli-suite.ts). */
import { describeCli } from '../cli-suite.js';

describeCli('qwen');
