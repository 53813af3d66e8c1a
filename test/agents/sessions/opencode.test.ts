/** Sessions and resume with the real opencode under muster (sessions-suite.ts); its state and session id come from muster's plugin. */
import { describeSessions } from './sessions-suite.js';

describeSessions('opencode');
