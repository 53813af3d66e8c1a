/** The harness's own checks against the real gemini CLI (see ../cli-suite.ts). */
import { describeCli } from '../cli-suite.js';

describeCli('gemini');
