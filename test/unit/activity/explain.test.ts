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
});
