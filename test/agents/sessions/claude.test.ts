/** Sessions, resume and hooks with the real claude CLI under muster (sessions-suite.ts). */
import { describeSessions } from './sessions-suite.js';

describeSessions('claude');
