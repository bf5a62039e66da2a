/** `--space <file.json>` / `--family <name>`: the design space of a command, Simba's when absent. */
import { readFileSync } from 'node:fs';
import { designFamilies, type DesignFamily, type DesignFamilyName } from '../costmodel/design-family';
import { defineSpace, simbaSpace, type DesignSpace, type SpaceInput } from '../hardware/space';
import { CliError, orFail } from './errors';

/** The built-in families `--family` takes. */
export const FAMILY_NAMES = Object.keys(designFamilies) as DesignFamilyName[];

export const FAMILY_HELP = `a built-in design family: ${FAMILY_NAMES.join(' | ')} (its space, scored by the cost model through the family's accelerator; docs/design-space.md)`;

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

/** The space of `--space` or `--family` (not both), with the family when one was named. */
export function spaceAndFamily(flags: { readonly space?: string; readonly family?: DesignFamilyName }): { space: DesignSpace; family: DesignFamily | undefined } {
  if (flags.family === undefined) return { space: spaceFromFlag(flags.space), family: undefined };
  if (flags.space !== undefined) throw new CliError(`--space and --family ${flags.family} both name the design space: give one`);
  const family = designFamilies[flags.family] as unknown as DesignFamily;
  return { space: family.space, family };
}

/** Whether two spaces have the same parameters in the same order (a checkpoint's space and a family's). */
export function sameParams(a: DesignSpace, b: DesignSpace): boolean {
  return a.params.length === b.params.length && a.params.every((p, i) => p.name === b.params[i].name && p.min === b.params[i].min && p.max === b.params[i].max);
}
