/**
 * The short form `muster init` shows on a terminal (docs/commands.md#muster-init): the
 * team's shape, which agent CLIs and how many of each, a dev server, worktrees, the memory
 * limit per agent and the team's name. One question at a time; Esc or Ctrl-C cancels.
 */
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import { Box, Text, useApp, useInput } from 'ink';
import { useState } from 'react';
import { NAME_HINT, NAME_RE } from '../config/schema.js';
import { AGENT_KINDS, formatMemory, type AgentKind, type Shape } from './plan.js';

/** What the form asks for; the command turns it into files. */
export interface FormAnswers {
  shape: Shape;
  agents: Array<{ kind: AgentKind; count: number }>;
  server: string | null;
  worktrees: boolean;
  memoryBytes: number | null;
  name: string;
}

export interface InitFormProps {
  /** the CLIs found on PATH */
  detected: readonly AgentKind[];
  suggestedName: string;
  /** the memory limit offered first, and the machine's total, in bytes */
  suggestedMemory: number;
  totalMemory: number;
  /** why worktrees cannot be made here (the question is then left out), or null */
  noWorktrees: string | null;
  onDone: (answers: FormAnswers | null) => void;
}

type Step = 'shape' | 'kinds' | 'count' | 'server' | 'worktrees' | 'memory' | 'name';

const GIB = 2 ** 30;

export function InitForm(props: InitFormProps) {
  const { exit } = useApp();
  const [step, setStep] = useState<Step>('shape');
  const [shape, setShape] = useState<Shape>('crew');
  const [kinds, setKinds] = useState<AgentKind[]>([]);
  const [counts, setCounts] = useState<Array<{ kind: AgentKind; count: number }>>([]);
  const [server, setServer] = useState<string | null>(null);
  const [worktrees, setWorktrees] = useState(false);
  const [memory, setMemory] = useState<number | null>(props.suggestedMemory);
  const [error, setError] = useState<string | null>(null);

  const finish = (answers: FormAnswers | null) => {
    props.onDone(answers);
    exit();
  };
  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c')) finish(null);
  });

  const found = new Set(props.detected);
  const kindOptions = AGENT_KINDS.map((k) => ({
    value: k,
    label: k === 'shell' ? 'shell (a plain shell)' : `${k}${found.has(k) ? ' (found)' : ' (not on PATH)'}`,
  }));
  const memoryChoices = [props.suggestedMemory, GIB, 2 * GIB, 4 * GIB].filter((m, i, all) => all.indexOf(m) === i);
  const answered: string[] = [];
  if (step !== 'shape') answered.push(`shape: ${shape}`);
  if (counts.length > 0 && step !== 'count') answered.push(`agents: ${counts.map((c) => `${c.kind}:${c.count}`).join(', ')}`);
  if (['worktrees', 'memory', 'name'].includes(step)) answered.push(`server: ${server ?? 'none'}`);
  if (['memory', 'name'].includes(step)) answered.push(`worktrees: ${worktrees ? 'yes' : 'no'}${props.noWorktrees === null ? '' : ` (${props.noWorktrees})`}`);
  if (step === 'name') answered.push(`memory per agent: ${memory === null ? 'no limit' : formatMemory(memory)}`);

  const countFor = counts.length < kinds.length ? kinds[counts.length] : undefined;

  return (
    <Box flexDirection="column">
      <Text bold>muster init: a team for this folder</Text>
      {answered.map((a) => (
        <Text key={a} dimColor>
          {'  '}
          {a}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        {step === 'shape' && (
          <>
            <Text>What shape of team?</Text>
            <Select
              options={[
                { value: 'crew', label: 'Agents side by side, each on its own task' },
                { value: 'pm-dev', label: 'A PM who plans, and devs who start on its handoffs' },
              ]}
              onChange={(v) => {
                setShape(v as Shape);
                setStep('kinds');
              }}
            />
          </>
        )}
        {step === 'kinds' && (
          <>
            <Text>Which agent CLIs? (Space to pick, Enter when done)</Text>
            <MultiSelect
              options={kindOptions}
              visibleOptionCount={AGENT_KINDS.length}
              defaultValue={props.detected.length > 0 ? [...props.detected] : ['shell']}
              onSubmit={(values) => {
                if (values.length === 0) return setError('pick at least one');
                setError(null);
                setKinds(values as AgentKind[]);
                setCounts([]);
                setStep('count');
              }}
            />
          </>
        )}
        {step === 'count' && countFor !== undefined && (
          <>
            <Text>How many {countFor} agents?</Text>
            <Select
              key={countFor}
              options={['1', '2', '3', '4'].map((n) => ({ value: n, label: n }))}
              onChange={(v) => {
                const next = [...counts, { kind: countFor, count: Number(v) }];
                setCounts(next);
                if (next.length < kinds.length) return;
                if (shape === 'pm-dev' && next.reduce((n, c) => n + c.count, 0) < 2) {
                  setError('a PM and devs need at least two agents');
                  setCounts([]);
                  return setStep('kinds');
                }
                setError(null);
                setStep('server');
              }}
            />
          </>
        )}
        {step === 'server' && (
          <>
            <Text>A dev server to run beside them? (its command, or Enter for none)</Text>
            <TextInput
              placeholder="npm run dev"
              onSubmit={(v) => {
                setServer(v.trim() === '' ? null : v.trim());
                setStep(props.noWorktrees === null ? 'worktrees' : 'memory');
              }}
            />
          </>
        )}
        {step === 'worktrees' && (
          <>
            <Text>Give each agent a git worktree of its own?</Text>
            <Select
              options={[
                { value: 'no', label: 'No: they share this checkout' },
                { value: 'yes', label: 'Yes: each on its own branch' },
              ]}
              onChange={(v) => {
                setWorktrees(v === 'yes');
                setStep('memory');
              }}
            />
          </>
        )}
        {step === 'memory' && (
          <>
            <Text>Memory limit per agent? (this machine has {formatMemory(props.totalMemory)})</Text>
            <Select
              options={[
                ...memoryChoices.map((m) => ({ value: String(m), label: formatMemory(m) })),
                { value: 'none', label: 'no limit' },
              ]}
              onChange={(v) => {
                setMemory(v === 'none' ? null : Number(v));
                setStep('name');
              }}
            />
          </>
        )}
        {step === 'name' && (
          <>
            <Text>The team's name? (Enter for {props.suggestedName})</Text>
            <TextInput
              placeholder={props.suggestedName}
              onSubmit={(v) => {
                const name = v.trim() === '' ? props.suggestedName : v.trim();
                if (!NAME_RE.test(name)) return setError(`"${name}": ${NAME_HINT}`);
                finish({ shape, agents: counts, server, worktrees, memoryBytes: memory, name });
              }}
            />
          </>
        )}
      </Box>
      {error && <Text color="red">{error}</Text>}
      <Text dimColor>Enter to choose · Esc to cancel</Text>
    </Box>
  );
}
