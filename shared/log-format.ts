/**
 * The shape of every Hookline log line (Powertools Logger's `logFormatter`): `level`, `message`,
 * `timestamp`, `service`, the Lambda request id (`function_request_id`, when in Lambda),
 * `cold_start: true` on a cold start only, then the line's own keys.
 *
 * Powertools' default shape adds the function's ARN, name and memory, the sampling rate, the X-Ray
 * trace id and `cold_start: false` to every line: about 260 bytes, which CloudWatch Logs bills on
 * each line (a delivered event's line doubled in size). The log group already names the function,
 * and an event's lines carry its trace as `traceId`.
 */
import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

export class HooklineLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        ...(context !== undefined && { function_request_id: context.awsRequestId }),
        ...(context?.coldStart === true && { cold_start: true }),
      },
    }).addAttributes(additional);
  }
}
