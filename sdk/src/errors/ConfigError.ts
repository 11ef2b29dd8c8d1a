import { FaultlineError, hasCode } from './FaultlineError.js';

/** A programmer error in the options: raised at construction, naming the option. */
export class ConfigError extends FaultlineError {
  readonly option: string;

  constructor(option: string, message: string) {
    super('CONFIG', `invalid option ${option}: ${message}`);
    this.option = option;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return hasCode(error, 'CONFIG');
}
