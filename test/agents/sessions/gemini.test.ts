/** Sessions, resume and hooks with the real gemini CLI under muster (sessions-suite.ts). */
import { describeSessions } from './sessions-suite.js';

describeSessions('gemini');
