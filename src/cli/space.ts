/** `--space <file.json>`: the design space of a command, Simba's when absent. */
import { readFileSync } from 'node:fs';
import { defineSpace, simbaSpace, type DesignSpace, type SpaceInput } from '../hardware/space';
import { CliError, orFail } from './errors';

/**
 * Reads a space file, `{ "name": ..., "params": [{ "name", "min", "max", "grid", "encoding" }, ...] }`
 * (docs/design-space.md); a mistake is a one-line error naming the parameter.
 */
export function spaceFromFlag(file: string | undefined): DesignSpace {
  if (file === undefined) return simbaSpace;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--space ${file}: ${(e as Error).message}`);
  }
  return orFail(defineSpace(json as SpaceInput));
}
