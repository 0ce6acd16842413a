import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ResolvedRoute } from '../shared/config/types.js';
import { routePartitionPatterns } from '../shared/resources.js';

/** The DynamoDB actions a route's function takes on each kind of item of the event table. */
export interface RouteTableActions {
  /** On the route's state items (`ROUTE#<tag>#<shard>`). */
  readonly states: readonly string[];
  /** On the route's request items (`DEDUPE#<route>#…` and `REQUEST#<id of the route>`). */
  readonly requests: readonly string[];
}

/**
 * The statements of a route's ingress or handler on the event table (layout v2): each kind of item
 * its own statement with only the actions the function takes on it, narrowed to the route's own
 * partitions by `dynamodb:LeadingKeys`; reading (and, on a new table, writing) the layout item;
 * and describing the table, which only a function that finds no layout item does. On the table
 * itself, never its index (`table.grant` would add `<table>/index/*`).
 */
export function routeTableStatements(
  table: dynamodb.ITable,
  route: ResolvedRoute,
  actions: RouteTableActions,
): iam.PolicyStatement[] {
  const partitions = routePartitionPatterns(route.path);
  const onItems = (itemActions: readonly string[], leadingKeys: readonly string[]) =>
    new iam.PolicyStatement({
      actions: [...itemActions],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } },
    });
  return [
    onItems(actions.states, [partitions.states]),
    onItems(actions.requests, [partitions.dedupe, partitions.requests]),
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [partitions.layout] } },
    }),
    new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [table.tableArn] }),
  ];
}
