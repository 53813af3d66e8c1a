/** Sessions, resume and hooks with the real codex CLI under muster (sessions-suite.ts). */
import { describeSessions } from './sessions-suite.js';

describeSessions('codex');
