// Argument parsing helpers shared by the subcommands.
import { InvalidArgumentError } from 'commander';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseIntArg(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return Number(value);
}

export function parseNumberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** Wraps a parser that throws RangeError so commander reports it as a usage error. */
export function arg<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export function parseIntList(value: string): number[] {
  return value.split(',').map((s) => parseIntArg(s.trim()));
}
