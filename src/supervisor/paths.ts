/**
 * Where a project's state lives: everything under `<project>/.muster/`.
 */
import * as path from 'node:path';

export interface StatePaths {
  project: string;
  stateDir: string;
  logsDir: string;
  inboxDir: string;
  reportFile: string;
}

export function statePaths(projectDir: string): StatePaths {
  const project = path.resolve(projectDir);
  const stateDir = path.join(project, '.muster');
  return {
    project,
    stateDir,
    logsDir: path.join(stateDir, 'logs'),
    inboxDir: path.join(stateDir, 'inbox'),
    reportFile: path.join(stateDir, 'report.md'),
  };
}

/** `.muster/logs/<team>/<agent>.log` */
export function agentLogFile(paths: StatePaths, agentId: string): string {
  const [team = '', name = ''] = agentId.split('/');
  return path.join(paths.logsDir, team, `${name}.log`);
}
