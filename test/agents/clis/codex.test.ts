/** The harness's own checks against the real codex CLI (see ../cli-suite.ts). */
import { describeCli } from '../cli-suite.js';

describeCli('codex');
