/** Sessions and resume with the real gemini CLI under muster (sessions-suite.ts); its state comes from its screen. */
import { describeSessions } from './sessions-suite.js';

describeSessions('gemini');
