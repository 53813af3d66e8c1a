/** Control-socket test helpers: handlers for a few commands of the contract, the rest refused. */
import { commands, type CommandHandlers, type CrewNotice, type HandledCommand } from '../../src/supervisor/control/contract.js';
import { MusterError } from '../../src/errors.js';

export function handlersWith(some: Partial<CommandHandlers>): CommandHandlers {
  const all = {} as Record<HandledCommand, unknown>;
  for (const name of Object.keys(commands)) {
    if (name === 'subscribe' || name === 'unsubscribe') continue;
    all[name as HandledCommand] = () => {
      throw new MusterError(`this test supervisor does not handle "${name}"`);
    };
  }
  return { ...(all as CommandHandlers), ...some };
}

export function notice(message: string, over: Partial<CrewNotice> = {}): CrewNotice {
  return { time: '2026-11-21T10:00:00.000Z', level: 'info', agent: null, kind: 'test', message, ...over };
}
