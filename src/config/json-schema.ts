/**
 * JSON Schemas of the files a user writes, generated from the zod schemas that check
 * them (schema.ts), for editors (docs/index.md#editor-setup) and `muster schema`. The
 * build writes one file per entry of FILE_SCHEMAS into the package's `schema/` folder:
 * a new file format needs only one more entry here.
 */
import { z } from 'zod';
import { presetSchema } from './preset-schema.js';
import { agentSchema, defaultsSchema, layoutSchema, NAME_RE, projectSchema, teamHeadSchema } from './schema.js';

/** One file format: its zod schema and how the JSON Schema introduces it. */
export interface FileSchema {
  /** the file it describes, for the title */
  file: string;
  description: string;
  zod: z.ZodType;
}

/** A team file as a whole: its own keys, `defaults` and every agent, checked in one go. */
const teamFileSchema = teamHeadSchema.extend({
  defaults: defaultsSchema
    .meta({ description: 'Agent keys merged into every agent unless the agent sets them (limits, restart, env, checkin and commit key by key).' })
    .optional(),
  agents: z
    .record(z.string().regex(NAME_RE), agentSchema)
    .meta({ description: 'The agents, by name (a-z, 0-9, _ and -, starting with a letter, at most 32 characters); each is one tmux pane.' }),
});

/** Every file format muster reads, by the name `muster schema NAME` takes. */
export const FILE_SCHEMAS = {
  team: {
    file: 'teams/<team>.yaml',
    description: 'A muster team: one tmux session, each agent one pane. See docs/team-file.md.',
    zod: teamFileSchema,
  },
  layout: {
    file: 'layouts/<name>.yaml',
    description: "How a team's agents are arranged in tmux windows and panes. See docs/layouts.md.",
    zod: layoutSchema,
  },
  project: {
    file: 'muster.yaml',
    description: 'The muster project file: team files, pulse, machine ceiling, requirements. See docs/project-file.md.',
    zod: projectSchema,
  },
  preset: {
    file: 'presets/<name>.yaml',
    description: "How an agent CLI's screen is read and text typed into it. See docs/presets.md.",
    zod: presetSchema,
  },
} satisfies Record<string, FileSchema>;

export type SchemaName = keyof typeof FILE_SCHEMAS;

/** The names `muster schema` takes. */
export const SCHEMA_NAMES = Object.keys(FILE_SCHEMAS) as SchemaName[];

/** The file name of a schema in the package's `schema/` folder. */
export function schemaFileName(name: string): string {
  return `${name}.schema.json`;
}

/** The JSON Schema (draft 2020-12) of one file format, as what a user writes (units as text). */
export function jsonSchemaOf(name: SchemaName): Record<string, unknown> {
  const entry: FileSchema = FILE_SCHEMAS[name];
  const generated = z.toJSONSchema(entry.zod, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: `muster ${name} file (${entry.file})`, description: entry.description, ...rest };
}
