/** The harness's own checks against the real claude CLI (see ../cli-suite.ts). */
import { describeCli } from '../cli-suite.js';

describeCli('claude');
