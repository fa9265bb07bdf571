// Argument parsing helpers shared by the subcommands.
import { InvalidArgumentError } from 'commander';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseIntArg(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return Number(value);
}
