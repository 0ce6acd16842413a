import { z } from 'zod';

/** No verification: every request passes. Only for routes protected some other way. */
export const noneVerify = z.strictObject({ scheme: z.literal('none') });
