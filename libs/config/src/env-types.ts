import { z } from 'zod';

/** Reusable field types for environment schemas. */
export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const envPositiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `true/false/1/0/yes/no/on/off`, case-insensitive. */
export const envBoolean = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
      message: 'must be one of true, false, 1, 0, yes, no, on, off',
    })
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
    .default(fallback);

/** A comma-separated list, e.g. `KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093`. */
export const envList = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(z.string()).min(1, 'must list at least one value'));
