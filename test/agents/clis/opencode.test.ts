/** The harness's own checks against the real opencode CLI (see ../cli-suite.ts). */
import { describeCli } from '../cli-suite.js';

describeCli('opencode');
