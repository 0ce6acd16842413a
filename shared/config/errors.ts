import { HooklineError } from '../errors.js';

/** A config that cannot be used; `problems` lists every issue found, each prefixed by its field path. */
export class ConfigError extends HooklineError<'invalid_config'> {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], source = 'hookline config') {
    super(
      'invalid_config',
      `${source} is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}
