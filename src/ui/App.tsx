/**
 * The TUI's root: reads the store, draws the screen view, and hands every key to the
 * keymap and the controller. No state of its own, so a remount after an attach is seamless.
 */
import { Box, useInput } from 'ink';
import { useMemo, useSyncExternalStore } from 'react';
import { AgentGrid } from './AgentGrid.js';
import type { TuiController } from './controller.js';
import { EventLine } from './EventLine.js';
import { HandoffList } from './HandoffList.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { dispatchKey } from './keymap.js';
import { KeyHints } from './KeyHints.js';
import { Preview } from './Preview.js';
import { screenView } from './screen-view.js';
import type { TuiStore } from './tui-store.js';

export function App({ store, controller }: { store: TuiStore; controller: TuiController }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const view = useMemo(() => screenView(state), [state]);
  useInput((input, key) => dispatchKey(input, key, () => store.getState().mode.kind, (a) => controller.handle(a)));
  const { layout, colors } = view;
  return (
    <Box flexDirection="column" height={layout.total} width={layout.width}>
      <Header lines={view.header} colors={colors} />
      {view.help ? (
        <Help lines={view.help} height={layout.total - layout.header - 2} colors={colors} />
      ) : (
        <>
          <AgentGrid header={view.gridHeader} rows={view.gridRows} height={layout.grid} colors={colors} />
          {view.handoffTitle && <HandoffList title={view.handoffTitle} rows={view.handoffRows} height={layout.handoffs} colors={colors} />}
          {view.previewTitle && <Preview title={view.previewTitle} rows={view.previewRows} height={layout.preview} colors={colors} />}
        </>
      )}
      <EventLine line={view.event} colors={colors} />
      <KeyHints line={view.hints} colors={colors} />
    </Box>
  );
}
