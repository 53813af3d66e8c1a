import { beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../../src/activity/classify.js';
import { explainLines } from '../../../src/activity/explain.js';
import type { PresetSpec } from '../../../src/config/preset-types.js';
import { builtinPreset } from '../../helpers/presets.js';

let claude: PresetSpec;
beforeAll(async () => {
  claude = await builtinPreset('claude');
});

const rule = '─'.repeat(60);
const explain = (screen: string, quietMs: number) =>
  explainLines({ agent: 'web/dev', preset: claude, verdict: classify({ preset: claude, screen, quietMs }), quietMs }).join('\n');

describe('explain', () => {
  it('shows the live region, the rule with its file and line, and what would change it', () => {
    const text = explain(['⏺ Bash(touch x)', ' Do you want to proceed?', ' ❯ 1. Yes', '   2. No, and tell Claude what to do differently (esc)'].join('\n'), 12_000);
    expect(text).toMatch(/^web\/dev: waiting \(permission\)/);
    expect(text).toMatch(/│  Do you want to proceed\?/);
    expect(text).toMatch(/rule presets\/claude\.yaml:\d+  waiting: permission/);
    expect(text).toMatch(/output quiet for 12 s/);
    expect(text).toMatch(/would change on: someone answering it in its pane \(muster attach web\/dev\)/);
  });

  it('tells a busy agent by its output from one by its screen, and shows a draft', () => {
    const idle = ['⏺ Done.', rule, '❯ ', rule, '  ? for shortcuts'].join('\n');
    expect(explain(idle, 1000)).toMatch(/busy \(output\)[\s\S]*its output staying quiet for 2\.0 s more/);
    expect(explain(idle.replace('❯ ', '❯ half a thought'), 5000)).toMatch(/idle \(draft\)[\s\S]*input line: text nobody submitted \(a draft\): "half a thought"/);
    expect(explain(idle, 5000)).toMatch(/idle \(prompt\)[\s\S]*input line: empty/);
  });

  it("shows the hooks' word beside the screen's, and which one is shown when they disagree", () => {
    const idle = ['⏺ Done.', rule, '❯ ', rule, '  ? for shortcuts'].join('\n');
    const verdict = classify({ preset: claude, screen: idle, quietMs: 5000 });
    const lines = (hooks: Parameters<typeof explainLines>[0]['hooks'], source: 'hook' | 'screen') =>
      explainLines({ agent: 'web/dev', preset: claude, verdict, quietMs: 5000, hooks, shown: { activity: hooks?.activity ?? 'idle', source } }).join('\n');
    expect(lines(null, 'screen')).toMatch(/hooks: none spoke in this attempt \(the screen decides\)/);
    const busy = lines({ activity: 'busy', agoMs: 1200 }, 'hook');
    expect(busy).toMatch(/hooks: said busy 1\.2 s ago/);
    expect(busy).toMatch(/disagree: busy is shown \(the hooks are the authority/);
    expect(lines({ activity: 'idle', agoMs: 300 }, 'hook')).not.toMatch(/disagree/);
    // presets without hooks say nothing about them
    expect(explain(idle, 5000)).not.toMatch(/hooks/);
  });
});
