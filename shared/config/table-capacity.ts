/**
 * The `table` section of the config: how the event table pays for its reads and writes. On-demand
 * (the default) bills each request and needs no planning; provisioned bills capacity by the hour,
 * and Application Auto Scaling keeps consumption at `targetUtilization` percent of it, between `min`
 * and `max`. The table and each of its indexes get the same settings: an index whose write capacity
 * runs short throttles the table's writes too.
 */
import { z } from 'zod';
import { TABLE_DEFAULTS } from './defaults.js';

/** The target utilization DynamoDB auto scaling accepts, in percent. */
export const TARGET_UTILIZATION_RANGE = { min: 20, max: 90 } as const;

const UTILIZATION_RULE = `must be ${TARGET_UTILIZATION_RANGE.min}–${TARGET_UTILIZATION_RANGE.max} (percent)`;

const capacityUnits = z
  .number({ error: 'must be a number of capacity units' })
  .int('must be a whole number')
  .min(1, 'must be at least 1');

/** Auto scaling of one capacity (reads or writes) of the table and of each index. */
const scalingSchema = z
  .strictObject(
    {
      /** Capacity units never scaled below, paid for whatever the traffic. @default 5 */
      min: capacityUnits.default(TABLE_DEFAULTS.scaling.min),
      /** Capacity units never scaled above: traffic beyond it is throttled. @default 1000 */
      max: capacityUnits.default(TABLE_DEFAULTS.scaling.max),
      /** Percent of the provisioned capacity that consumption is kept at (20–90). @default 70 */
      targetUtilization: z
        .number({ error: UTILIZATION_RULE })
        .min(TARGET_UTILIZATION_RANGE.min, UTILIZATION_RULE)
        .max(TARGET_UTILIZATION_RANGE.max, UTILIZATION_RULE)
        .default(TABLE_DEFAULTS.scaling.targetUtilization),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'must be an object such as { min: 5, max: 1000, targetUtilization: 70 }'
          : undefined,
    },
  )
  .superRefine((scaling, ctx) => {
    if (scaling.max < scaling.min) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `${scaling.max} is below min (${scaling.min})`,
      });
    }
  });

const onlyWhenProvisioned = z
  .never({ error: 'only with billing "provisioned" (on-demand capacity needs no settings)' })
  .optional();

const onDemandSchema = z.strictObject({
  billing: z.literal('onDemand'),
  read: onlyWhenProvisioned,
  write: onlyWhenProvisioned,
});

const provisionedSchema = z.strictObject({
  billing: z.literal('provisioned'),
  /** Read capacity of the table and of each index. @default { min: 5, max: 1000, targetUtilization: 70 } */
  read: scalingSchema.default(() => ({ ...TABLE_DEFAULTS.scaling })),
  /** Write capacity of the table and of each index. @default { min: 5, max: 1000, targetUtilization: 70 } */
  write: scalingSchema.default(() => ({ ...TABLE_DEFAULTS.scaling })),
});

/** Top-level `table`: `{ billing: 'onDemand' }` or `{ billing: 'provisioned', read?, write? }`. */
export const tableSchema = z.discriminatedUnion('billing', [onDemandSchema, provisionedSchema], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? 'must be "onDemand" or "provisioned"'
      : 'must be an object such as { billing: "onDemand" }',
});

/** The `table` problems as `table.x.y: message` lines, for configs built in code without `resolveConfig`. */
export function tableCapacityProblems(table: unknown, at: string): string[] {
  if (table === undefined) return [];
  const parsed = tableSchema.safeParse(table);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    return `${at}${path}: ${issue.message}`;
  });
}
