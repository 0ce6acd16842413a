import { describe, expect, it } from 'vitest';
import { adminRouteTargets } from '../../../shared/admin/deployed-routes.js';
import { makeRoute } from '../../helpers/routes.js';

const prefixes = {
  queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
  queueArnPrefix: 'arn:aws:sqs:eu-west-1:123456789012:',
};

describe('adminRouteTargets', () => {
  it('joins each bundled route with the deployed queue URL and ARN prefixes', () => {
    const route = makeRoute({ path: '/order/status/' });
    const targets = adminRouteTargets(
      [{ route, queueName: 'shop-order_status', dlqName: 'shop-order_status-dlq' }],
      prefixes,
    );
    expect(targets).toEqual([
      {
        route,
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-order_status',
        queueArn: 'arn:aws:sqs:eu-west-1:123456789012:shop-order_status',
        dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-order_status-dlq',
        dlqArn: 'arn:aws:sqs:eu-west-1:123456789012:shop-order_status-dlq',
      },
    ]);
  });

  it('names what is malformed', () => {
    expect(() => adminRouteTargets({ route: 'x' }, prefixes)).toThrow(/must hold a JSON array of routes/);
    expect(() => adminRouteTargets([], { queueUrlPrefix: 'https://x/' })).toThrow(
      /must hold queueUrlPrefix and queueArnPrefix/,
    );
    expect(() => adminRouteTargets([], undefined)).toThrow(/queueUrlPrefix and queueArnPrefix/);
  });
});
