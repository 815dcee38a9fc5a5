import { z } from 'zod';
import type { NetrowsSimulatorOptions } from './simulator';

/** Empty variables count as unset, so `NETROWS_SIM_PORT=` falls back to the default instead of port 0. */
const blankAsUnset = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const intVar = (min: number, max: number, fallback: number) =>
  z.preprocess(blankAsUnset, z.coerce.number().int().min(min).max(max).default(fallback));
const shareVar = (fallback: number) => z.preprocess(blankAsUnset, z.coerce.number().min(0).max(1).default(fallback));

const simulatorEnvSchema = z.object({
  NETROWS_SIM_PORT: intVar(0, 65_535, 4010),
  NETROWS_SIM_HOST: z.preprocess(blankAsUnset, z.string().default('127.0.0.1')),
  NETROWS_SIM_BASE_PATH: z.preprocess(blankAsUnset, z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like /v1').default('/v1')),
  NETROWS_SIM_RATE_LIMIT_PER_MINUTE: intVar(0, 1_000_000, 100),
  NETROWS_SIM_NOT_FOUND_SHARE: shareVar(0.1),
  NETROWS_SIM_API_KEYS: z.preprocess(
    blankAsUnset,
    z
      .string()
      .default('')
      .transform((list) => list.split(',').map((key) => key.trim()).filter((key) => key !== '')),
  ),
  NETROWS_SIM_CREDITS: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).optional()),
  NETROWS_SIM_LATENCY_MS: intVar(0, 600_000, 0),
  NETROWS_SIM_ERROR_RATE: shareVar(0),
  NETROWS_SIM_TIMEOUT_RATE: shareVar(0),
  NETROWS_SIM_SEED: z.preprocess(blankAsUnset, z.string().default('netrows-sim')),
});

export type SimulatorEnv = z.infer<typeof simulatorEnvSchema>;

/** Thrown with every invalid variable named, so the process can fail fast with one clear line. */
export class SimulatorConfigError extends Error {
  override readonly name = 'SimulatorConfigError';
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(`invalid environment: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
  }
}

/** Reads the `NETROWS_SIM_*` variables into simulator options. */
export function simulatorOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): NetrowsSimulatorOptions {
  const parsed = simulatorEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new SimulatorConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '(environment)'), message: issue.message })),
    );
  }
  const e = parsed.data;
  const options: NetrowsSimulatorOptions = {
    port: e.NETROWS_SIM_PORT,
    host: e.NETROWS_SIM_HOST,
    basePath: e.NETROWS_SIM_BASE_PATH,
    rateLimitPerMinute: e.NETROWS_SIM_RATE_LIMIT_PER_MINUTE,
    notFoundShare: e.NETROWS_SIM_NOT_FOUND_SHARE,
    apiKeys: e.NETROWS_SIM_API_KEYS,
    seed: e.NETROWS_SIM_SEED,
    faults: { latencyMs: e.NETROWS_SIM_LATENCY_MS, errorRate: e.NETROWS_SIM_ERROR_RATE, timeoutRate: e.NETROWS_SIM_TIMEOUT_RATE },
  };
  if (e.NETROWS_SIM_CREDITS !== undefined) options.credits = e.NETROWS_SIM_CREDITS;
  return options;
}
