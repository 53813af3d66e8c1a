/**
 * The TUI's root: reads the store, draws the screen view, and hands every key to the
 * keymap and the controller. No state of its own, so a remount after an attach is seamless.
 */
import { Box, useInput } from 'ink';
import { useMemo, useSyncExternalStore } from 'react';
import type { TuiController } from './controller.js';
import { EventLine } from './EventLine.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { dispatchKey } from './keymap.js';
import { Panel } from './Panel.js';
import { KeyHints } from './KeyHints.js';
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
          <Panel title={view.gridHeader} rows={view.gridRows} height={layout.grid} colors={colors} />
          {view.handoffTitle && <Panel title={view.handoffTitle} rows={view.handoffRows} height={layout.handoffs} colors={colors} />}
          {view.previewTitle && <Panel title={view.previewTitle} rows={view.previewRows} height={layout.preview} colors={colors} />}
        </>
      )}
      <EventLine line={view.event} colors={colors} />
      <KeyHints line={view.hints} colors={colors} />
    </Box>
  );
}
