import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { alarmSettingsProblems, resolveStackAlarms } from '../shared/config/alarms.js';
import { circuitScheduleGroup } from '../shared/config/circuit-schedules.js';
import { TABLE_DEFAULTS } from '../shared/config/defaults.js';
import { DEFAULT_CONFIG_FILE, handlerEntry } from '../shared/config/load.js';
import { handshakeStoresSecret, verifySecret } from '../shared/config/scheme-needs.js';
import { isValidStackName, STACK_NAME_RULE } from '../shared/config/stack-name.js';
import { tableCapacityProblems } from '../shared/config/table-capacity.js';
import type {
  CapacityScaling,
  HooklineConfig,
  ProvisionedTable,
  ResolvedConfig,
  ResolvedRoute,
} from '../shared/config/types.js';
import { isReservedPath, resolveConfig } from '../shared/config/validate.js';
import { ADMIN_PATH_PREFIX } from '../shared/http/paths.js';
import { EVENT_TABLE, routeTag } from '../shared/resources.js';
import { AdminApi } from './admin-api.js';
import { BodyBucket } from './body-bucket.js';
import { AlarmTopic, GatewayDashboard, StackAlarms } from './monitoring.js';
import { metricsNamespace } from './route-metrics.js';
import { WebhookRoute } from './webhook-route.js';

/** Stage-wide throttling for requests that match no route-level setting. */
const DEFAULT_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * One JSON object per request (structured, so Logs Insights can query fields). Never the body,
 * headers or query string: signatures and tokens stay out of the logs.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
  }),
);

/** Props of `HooklineGateway`. */
export interface HooklineGatewayProps {
  /**
   * The routes: a config as `loadConfig` returns it (validated, defaults applied), or one written in
   * code (`defineConfig({...})`, validated here with the same rules). `name` prefixes resource
   * names (two gateways in one stack need different names); one `WebhookRoute` per enabled route;
   * `table` sets the event table's capacity mode (on-demand unless it says provisioned).
   */
  readonly config: ResolvedConfig | HooklineConfig;
  /**
   * The project whose lock file (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`)
   * esbuild bundles with: every entry (the ingress and admin entry points of the installed package,
   * each route's handler) must be under it. Installed with npm into your CDK app, the package is under
   * `node_modules` of your project, so the default finds it.
   * @default - the directory of the nearest lock file above the working directory (CDK's default)
   */
  readonly projectRoot?: string;
  /**
   * The lock file esbuild bundles with.
   * @default - the lock file in `projectRoot` if given, else the nearest one above the working directory
   */
  readonly depsLockFilePath?: string;
  /**
   * The config file `config` was loaded from: each route's `handler` path is resolved from its
   * folder (`handlerEntry`), as the local stack does; absolute handler paths are used as they are.
   * Only its folder is used; it need not exist (routes written in code).
   * @default `${projectRoot ?? process.cwd()}/hookline.config.ts`
   */
  readonly configFile?: string;
  /**
   * Entry file of the ingress Lambda (exports `handler`).
   * @default - Hookline's own (`functions/ingress.ts` in the repository, its compiled
   * `dist/functions/ingress.js` in the installed package)
   */
  readonly ingressEntry?: string;
  /**
   * Entry file of the admin Lambda serving `/_hookline/...` (exports `handler`).
   * @default - Hookline's own (`functions/admin.ts`, or `dist/functions/admin.js` installed)
   */
  readonly adminEntry?: string;
  /**
   * What the stack output ids start with (`<prefix>ApiUrl`, `<prefix>WebhookUrlOrderStatus`, …), so
   * several gateways can share a stack; letters and digits only. The CLI reads a stack's outputs with
   * `--stack NAME` (its only gateway) or `--stack NAME/PREFIX`.
   * @default - the construct's id without its other characters (`orders-gateway` → `ordersgateway`),
   * or no prefix for the id `Gateway` (Hookline's own app: its outputs stay `ApiUrl`, …)
   */
  readonly outputPrefix?: string;
  /**
   * Retention of every function's log group (ingress, handlers, admin) and of the API access log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the event table when it leaves the stack. It holds the event history and
   * dedupe keys, so it is kept unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * What happens to the body bucket (large request bodies) and its access log bucket when they leave
   * the stack. The bodies belong to the event history, so they are kept like the table. CloudFormation
   * deletes only empty buckets: with `DESTROY`, empty them first.
   * @default RemovalPolicy.RETAIN
   */
  readonly bodyBucketRemovalPolicy?: RemovalPolicy;
  /**
   * Stage-wide throttling; each route's own `throttle` overrides it for that route's methods.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly defaultThrottle?: apigwv2.ThrottleSettings;
}

/**
 * Hookline's AWS side: the event table, the body bucket (claim check for large bodies), one HTTP API
 * with access logs and per-route throttling, a `WebhookRoute` (queue, DLQ, secret, ingress Lambda,
 * API routes, handler Lambda) per enabled route, and the IAM-authorized admin API (`AdminApi`) under
 * `/_hookline`, with a stack output per webhook URL.
 *
 * Outputs have logical ids tools can find: `outputPrefix` (by default the construct's id) followed by
 * `ApiUrl`, `EventTableName`, `BodyBucketName`, `EnvelopeKeyArn`, `AlarmTopicArn` and
 * `WebhookUrl<QueueName>`; a gateway with the id `Gateway` has no prefix.
 */
export class HooklineGateway extends Construct {
  /** Event records, dedupe keys and idempotency locks (`EVENT_TABLE` key schema). */
  public readonly table: dynamodb.Table;
  /** The HTTP API receiving every webhook. */
  public readonly httpApi: apigwv2.HttpApi;
  /** The API's `$default` stage (auto-deployed), with access logs and throttling. */
  public readonly stage: apigwv2.HttpStage;
  /** The access log group of `stage`. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Deployed routes by their configured path (e.g. `/order/status/`); disabled routes are absent. */
  public readonly routes: ReadonlyMap<string, WebhookRoute>;
  /** Bodies too large to travel inline, one key prefix per route, with its access log bucket. */
  public readonly bodyBucket: BodyBucket;
  /** The admin function and its IAM-authorized `/_hookline/...` routes. */
  public readonly adminApi: AdminApi;
  /**
   * The envelope key: the ingress and replays sign every envelope with it, the handlers run only
   * what it signed. Rotate it by storing `["new", "old"]`, then `"new"` once the DLQs hold no
   * message older than the change (14 days at most).
   */
  public readonly envelopeKey: secretsmanager.Secret;
  /**
   * The CloudWatch namespace of the functions' custom metrics (`config.metrics.namespace`, else
   * `config.name`), set on every function as `ENV.metricsNamespace`.
   */
  public readonly metricsNamespace: string;
  /**
   * The SNS topic every alarm notifies (on ALARM and back to OK): `<name>-alarms`, created encrypted
   * with its own KMS key, or the config's `alarms.topicArn`; with the config's `alarms.email`
   * subscriptions. Each route's alarms are its `WebhookRoute.alarms`.
   */
  public readonly alarmTopic: AlarmTopic;
  /** The stack-wide alarms: event table throttling and the HTTP API's 5xx. */
  public readonly stackAlarms: StackAlarms;
  /** Every alarm of the stack: the stack-wide ones, then each route's. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The stack's CloudWatch dashboard (named after the config), one row per route. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The resolved config the gateway was built from. */
  public readonly config: ResolvedConfig;
  /** What the gateway's stack output ids start with (`outputPrefix`). */
  public readonly outputPrefix: string;

  constructor(scope: Construct, id: string, gatewayProps: HooklineGatewayProps) {
    super(scope, id);
    this.config = resolvedConfig(gatewayProps.config, gatewayProps.configFile);
    const props: GatewayProps = { ...gatewayProps, config: this.config };
    this.outputPrefix = gatewayProps.outputPrefix ?? defaultOutputPrefix(id);
    const problems = [...checkGatewayProps(props), ...this.stackProblems(props)];
    if (problems.length > 0) {
      throw new Error(`Invalid Hookline gateway:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const enabledRoutes = props.config.routes.filter((route) => route.enabled);
    const bundle = bundleLocation(props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.metricsNamespace = metricsNamespace(props.config);
    const alarmsConfig = props.config.alarms;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      prefix: props.config.name,
      ...(alarmsConfig?.topicArn !== undefined && { topicArn: alarmsConfig.topicArn }),
      ...(alarmsConfig?.email !== undefined && { email: alarmsConfig.email }),
    });

    this.table = this.buildTable(props);
    this.envelopeKey = this.buildEnvelopeKey(props);
    this.bodyBucket = new BodyBucket(this, 'BodyBucket', {
      routes: enabledRoutes,
      removalPolicy: props.bodyBucketRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.config.name,
      description: `Hookline webhook gateway (${props.config.name})`,
      // The default stage is created below: HttpApi's own takes no access log settings.
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.stage = this.buildStage(props);
    this.routes = this.buildRoutes(props, enabledRoutes, bundle, logRetention);
    if (enabledRoutes.some((route) => route.circuitBreaker !== undefined)) {
      // Where the handlers schedule their circuits' probes; deleting the stack deletes pending ones.
      new scheduler.ScheduleGroup(this, 'CircuitSchedules', {
        scheduleGroupName: circuitScheduleGroup(props.config.name),
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    this.adminApi = new AdminApi(this, 'Admin', {
      httpApi: this.httpApi,
      table: this.table,
      envelopeKey: this.envelopeKey,
      routes: [...this.routes.values()],
      bodyBucket: this.bodyBucket,
      entry: props.adminEntry ?? packagedEntry('admin'),
      ...bundle,
      logRetention,
      ...(props.config.logs !== undefined && { logs: props.config.logs }),
      metricsNamespace: this.metricsNamespace,
      circuitScheduleGroup: circuitScheduleGroup(props.config.name),
    });
    this.stackAlarms = new StackAlarms(this, 'StackAlarms', {
      prefix: props.config.name,
      settings: resolveStackAlarms(alarmsConfig),
      table: this.table,
      httpApi: this.httpApi,
      action: this.alarmTopic.action,
    });
    this.alarms = [
      ...this.stackAlarms.all,
      ...[...this.routes.values()].flatMap((webhookRoute) => webhookRoute.alarms.all),
    ];
    this.dashboard = new GatewayDashboard(this, 'Dashboard', {
      dashboardName: props.config.name,
      metricsNamespace: this.metricsNamespace,
      routes: [...this.routes.values()],
      table: this.table,
      httpApi: this.httpApi,
      alarms: this.alarms,
    }).dashboard;
    this.throttleRoutes();
    this.addOutputs();
  }

  /**
   * The event table, on-demand unless `config.table` says provisioned: then the table and each index
   * start at the minimum capacity and auto scale alike.
   */
  private buildTable(props: GatewayProps): dynamodb.Table {
    const capacity = props.config.table ?? { billing: TABLE_DEFAULTS.billing };
    const provisioned = capacity.billing === 'provisioned' ? capacity : undefined;
    const initialCapacity = provisioned && {
      readCapacity: provisioned.read.min,
      writeCapacity: provisioned.write.min,
    };
    // The layout version is in the logical id: a stack of another layout gets a table of its own
    // (the old one is retained, RemovalPolicy permitting) instead of having its indexes changed
    // under items of the old layout (docs/architecture.md, "Table layout", "Layout version").
    const table = new dynamodb.Table(this, `EventTableV${EVENT_TABLE.layoutVersion}`, {
      partitionKey: { name: EVENT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENT_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      ...initialCapacity,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: EVENT_TABLE.ttlAttribute,
      // AWS-managed key: a customer-managed key would also need kms grants on every function role.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(EVENT_TABLE.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[index.projection],
        ...initialCapacity,
      });
    }
    if (provisioned) autoScaleTable(table, provisioned);
    return table;
  }

  private buildEnvelopeKey(props: GatewayProps): secretsmanager.Secret {
    const key = new secretsmanager.Secret(this, 'EnvelopeKey', {
      description: `Hookline envelope signing key (${props.config.name}): signs what the ingress queues`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(key).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Messages signed with the key can wait in a DLQ for 14 days, so a rotation Lambda that replaced it ' +
        'would have them refused as forged; rotate by storing new and old keys side by side (handlers accept ' +
        'either, the ingress signs with the first), then remove the old one once no message predates the change.',
    });
    return key;
  }

  private buildStage(props: GatewayProps): apigwv2.HttpStage {
    return new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.defaultThrottle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
  }

  /** One `WebhookRoute` per enabled route; routes naming the same secret share it. */
  private buildRoutes(
    props: GatewayProps,
    enabledRoutes: readonly ResolvedRoute[],
    bundle: BundleLocation,
    logRetention: logs.RetentionDays,
  ): Map<string, WebhookRoute> {
    const configFile = defaultConfigFile(props);
    const routes = new Map<string, WebhookRoute>();
    const sharedSecrets = new Map<string, secretsmanager.ISecret>();
    for (const route of enabledRoutes) {
      const secretName = verifySecret(route.verify)?.name;
      const webhookRoute = new WebhookRoute(this, `Route-${route.queueName}`, {
        route,
        prefix: props.config.name,
        httpApi: this.httpApi,
        table: this.table,
        envelopeKey: this.envelopeKey,
        bodyBucket: this.bodyBucket,
        ingressEntry: props.ingressEntry ?? packagedEntry('ingress'),
        handlerEntry: handlerEntry(configFile, route.handler),
        ...bundle,
        logRetention,
        ...(props.config.logs !== undefined && { logs: props.config.logs }),
        metricsNamespace: this.metricsNamespace,
        ...(props.config.alarms !== undefined && { alarmDefaults: props.config.alarms }),
        alarmAction: this.alarmTopic.action,
        ...(secretName && sharedSecrets.has(secretName) ? { secret: sharedSecrets.get(secretName) } : {}),
      });
      if (secretName && webhookRoute.secret) sharedSecrets.set(secretName, webhookRoute.secret);
      routes.set(route.path, webhookRoute);
    }
    return routes;
  }

  /**
   * Route-level throttling lives in the stage's RouteSettings, keyed by route key. The L1 property is
   * untyped JSON passed through as is, hence the CloudFormation (PascalCase) field names. The stage
   * must be updated after the routes exist, or CloudFormation fails with "Unable to find Route by key".
   */
  private throttleRoutes(): void {
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const webhookRoute of this.routes.values()) {
      for (const routeKey of webhookRoute.routeKeys) {
        routeSettings[routeKey] = {
          ThrottlingRateLimit: webhookRoute.route.throttle.rateLimit,
          ThrottlingBurstLimit: webhookRoute.route.throttle.burstLimit,
        };
      }
      for (const httpRoute of webhookRoute.httpRoutes) cfnStage.node.addDependency(httpRoute);
    }
    if (Object.keys(routeSettings).length > 0) cfnStage.routeSettings = routeSettings;
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description }).overrideLogicalId(`${this.outputPrefix}${id}`);
    };
    output('ApiUrl', this.httpApi.apiEndpoint, 'Hookline HTTP API endpoint');
    output('EventTableName', this.table.tableName, 'Hookline event table');
    output(
      'EnvelopeKeyArn',
      this.envelopeKey.secretArn,
      'Hookline envelope key (HOOKLINE_ENVELOPE_KEY_ARN of a worker outside Lambda)',
    );
    output(
      'BodyBucketName',
      this.bodyBucket.bucket.bucketName,
      'Hookline body bucket (request bodies too large to travel inline)',
    );
    output('AlarmTopicArn', this.alarmTopic.topic.topicArn, 'Hookline alarm topic (every alarm notifies it)');
    for (const webhookRoute of this.routes.values()) {
      output(
        webhookUrlOutputId(webhookRoute.route),
        `${this.httpApi.apiEndpoint}${webhookRoute.webhookPath}`,
        `Webhook URL for ${webhookRoute.route.path} (${webhookRoute.route.verify.scheme})`,
      );
    }
  }

  /**
   * What would collide with another gateway of the same stack: resource names (the config's `name`),
   * stack output ids (`outputPrefix`) and verification secrets the stack creates (their names are
   * the account's).
   */
  private stackProblems(props: GatewayProps): string[] {
    const problems: string[] = [];
    if (!/^[A-Za-z0-9]*$/.test(this.outputPrefix)) {
      problems.push(
        `outputPrefix "${this.outputPrefix}" may hold only letters and digits (it starts output ids)`,
      );
    }
    const others = Stack.of(this)
      .node.findAll()
      .filter(
        (construct): construct is HooklineGateway =>
          construct instanceof HooklineGateway && construct !== this,
      );
    const createdSecrets = (config: ResolvedConfig) =>
      config.routes.flatMap((route) => {
        const secret = route.enabled ? verifySecret(route.verify) : undefined;
        return secret !== undefined && secret.existing !== true ? [secret.name] : [];
      });
    const mine = new Set(createdSecrets(props.config));
    for (const other of others) {
      const where = `gateway ${other.node.path}`;
      if (other.config.name === props.config.name) {
        problems.push(
          `config name "${props.config.name}" is used by ${where} too: resource names would collide`,
        );
      }
      if (other.outputPrefix === this.outputPrefix) {
        problems.push(
          `output prefix "${this.outputPrefix}" is used by ${where} too: pass another outputPrefix (or another id)`,
        );
      }
      for (const name of new Set(createdSecrets(other.config))) {
        if (mine.has(name)) {
          problems.push(
            `secret "${name}" is created by ${where} too: give it another name, or mark it existing in both`,
          );
        }
      }
    }
    return problems;
  }
}

/** The props with the config resolved. */
type GatewayProps = Omit<HooklineGatewayProps, 'config'> & { readonly config: ResolvedConfig };

/** Where the functions are bundled from (`projectRoot`, `depsLockFilePath`), when given. */
interface BundleLocation {
  readonly projectRoot?: string;
  readonly depsLockFilePath?: string;
}

function bundleLocation(props: GatewayProps): BundleLocation {
  return {
    ...(props.projectRoot !== undefined && { projectRoot: props.projectRoot }),
    ...(props.depsLockFilePath !== undefined && { depsLockFilePath: props.depsLockFilePath }),
  };
}

/** The config file the routes' handler paths are relative to. */
function defaultConfigFile(props: GatewayProps): string {
  return props.configFile ?? join(props.projectRoot ?? process.cwd(), DEFAULT_CONFIG_FILE);
}

/** A config written in code is validated as a config file is; `loadConfig`'s result is used as is. */
function resolvedConfig(
  config: ResolvedConfig | HooklineConfig,
  configFile: string | undefined,
): ResolvedConfig {
  const resolved = config.routes.every((route) => 'queueName' in route);
  return resolved
    ? (config as ResolvedConfig)
    : resolveConfig(config, configFile ?? 'HooklineGateway config');
}

/** The default `outputPrefix`: none for `Gateway`, else the id's letters and digits. */
function defaultOutputPrefix(id: string): string {
  return id === 'Gateway' ? '' : id.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * One of Hookline's own Lambda entry points, beside this module: `functions/<name>.ts` in the
 * repository (run with tsx), `dist/functions/<name>.js` in the installed package (compiled), so
 * esbuild bundles from the package wherever it is installed.
 */
function packagedEntry(name: 'ingress' | 'admin'): string {
  const source = fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL(`../functions/${name}.js`, import.meta.url));
}

/**
 * Target tracking of the reads and writes of the table and of each index, all with the same bounds:
 * an index short of write capacity would throttle the table's writes as well.
 */
function autoScaleTable(table: dynamodb.Table, capacity: ProvisionedTable): void {
  const scale = (
    enable: (bounds: dynamodb.EnableScalingProps) => dynamodb.IScalableTableAttribute,
    scaling: CapacityScaling,
  ): void => {
    enable({ minCapacity: scaling.min, maxCapacity: scaling.max }).scaleOnUtilization({
      targetUtilizationPercent: scaling.targetUtilization,
    });
  };
  scale((bounds) => table.autoScaleReadCapacity(bounds), capacity.read);
  scale((bounds) => table.autoScaleWriteCapacity(bounds), capacity.write);
  for (const { name } of Object.values(EVENT_TABLE.indexes)) {
    scale((bounds) => table.autoScaleGlobalSecondaryIndexReadCapacity(name, bounds), capacity.read);
    scale((bounds) => table.autoScaleGlobalSecondaryIndexWriteCapacity(name, bounds), capacity.write);
  }
}

/** The stack output id of a route's webhook URL: `/order/status/` → `WebhookUrlOrderStatus`. */
function webhookUrlOutputId(route: Pick<ResolvedRoute, 'queueName'>): string {
  const words = route.queueName.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return `WebhookUrl${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}`;
}

/** Every conflict in the props, so they can be reported in one error. */
function checkGatewayProps(props: GatewayProps): string[] {
  const problems: string[] = [];
  const { config } = props;
  if (!isValidStackName(config.name)) {
    problems.push(`config name "${config.name}" ${STACK_NAME_RULE} (it prefixes resource names)`);
  }
  problems.push(...alarmSettingsProblems(config.alarms, 'alarms', true));
  problems.push(...tableCapacityProblems(config.table, 'table'));
  for (const route of config.routes) {
    problems.push(...alarmSettingsProblems(route.alarms, `route ${route.path} alarms`, false));
  }
  const enabled = config.routes.filter((route) => route.enabled);
  if (enabled.length === 0) problems.push('no enabled routes: the gateway would have nothing to serve');
  for (const route of enabled) {
    // The same rule as config validation, for configs built in code without resolveConfig.
    if (isReservedPath(route.path)) {
      problems.push(`route ${route.path}: paths under ${ADMIN_PATH_PREFIX} are reserved for the admin API`);
    }
  }
  const seen = new Map<string, string>();
  for (const route of enabled) {
    for (const [kind, key] of [
      ['queue name', `queue:${route.queueName}`],
      ['output id', `output:${webhookUrlOutputId(route)}`],
      ['route tag (the hash its event ids and table keys carry)', `tag:${routeTag(route.path)}`],
    ] as const) {
      const other = seen.get(key);
      if (other !== undefined) problems.push(`routes ${other} and ${route.path} have the same ${kind}`);
      else seen.set(key, route.path);
    }
  }
  const secretOrigins = new Map<string, boolean>();
  const secretUsers = new Map<string, string[]>();
  for (const route of enabled) {
    const secret = verifySecret(route.verify);
    if (!secret) continue;
    secretUsers.set(secret.name, [...(secretUsers.get(secret.name) ?? []), route.path]);
    const existing = secret.existing ?? false;
    const other = secretOrigins.get(secret.name);
    if (other !== undefined && other !== existing) {
      problems.push(`secret "${secret.name}" is marked existing on some routes and not on others`);
    }
    secretOrigins.set(secret.name, existing);
  }
  for (const route of enabled.filter((candidate) => handshakeStoresSecret(candidate.verify))) {
    const users = secretUsers.get(verifySecret(route.verify)?.name ?? '') ?? [];
    if (users.length > 1) {
      problems.push(
        `${route.path} stores the signing key its provider hands over in its handshake: its secret cannot be shared (${users.join(', ')})`,
      );
    }
  }
  return problems;
}
