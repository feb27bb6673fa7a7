import type { z } from 'zod';
import { ConfigError } from './config-error';

export type Environment = Record<string, string | undefined>;

/**
 * Validates the process environment against a zod schema once, at start-up, so a bad knob fails
 * the boot with every problem listed instead of surfacing later as a confusing runtime error.
 * Empty strings count as unset, as they do in most shells and compose files.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Environment = process.env): z.infer<S> {
  const cleaned: Environment = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[name] = value;
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) throw ConfigError.fromZod(parsed.error);
  return parsed.data;
}
