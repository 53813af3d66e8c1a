/**
 * The crew's tmux server as the runner reaches it (the `CrewTmux` port of
 * src/supervisor/ports.ts): the server's own calls, and its pane deaths and removals as
 * one hint to look at the panes again.
 */
import type { CrewServer } from './crew-server.js';

export function crewTmux(server: CrewServer) {
  return {
    socketPath: () => server.socketPath(),
    ensureTeam: (team: Parameters<CrewServer['ensureTeam']>[0]) => server.ensureTeam(team),
    listPanes: () => server.listPanes(),
    launch: (paneId: string, options: Parameters<CrewServer['launch']>[1]) => server.launch(paneId, options),
    sendKeys: (paneId: string, keys: string[]) => server.sendKeys(paneId, keys),
    pasteText: (paneId: string, text: string) => server.pasteText(paneId, text),
    capture: (paneId: string, options?: { lines?: number }) => server.capture(paneId, options),
    cursorLine: (paneId: string) => server.cursorLine(paneId),
    killSession: async (name: string): Promise<void> => {
      await server.killSession(name);
    },
    onPaneDied: (listener: (paneId: string) => void): void => {
      server.on('paneDied', (paneId) => listener(paneId));
      server.on('paneGone', (paneId) => listener(paneId));
    },
    reportsPaneChanges: () => server.reportsPaneChanges,
    viewedPanes: () => server.viewedPanes(),
  };
}
