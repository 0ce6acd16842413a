/**
 * A synthesized CloudFormation template as a deployment would make it concrete: every resource gets
 * the physical name and ARN CloudFormation would give it in one account and region, and the
 * intrinsic functions the template uses (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`) resolve to
 * them. A value the resolver does not know how to make concrete is an error, never a guess.
 */
import { createHash } from 'node:crypto';

export const REHEARSAL_ACCOUNT = '123456789012';
export const REHEARSAL_REGION = 'us-east-1';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/** What `Ref` and `Fn::GetAtt` of one resource give. */
interface Physical {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A CloudFormation-generated suffix: stable per logical id, so a run is reproducible. */
function suffix(logicalId: string, length: number): string {
  let hash = 0;
  for (const char of logicalId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).toUpperCase().padStart(length, 'X').slice(-length);
}

/** A UUID as Lambda gives an event source mapping: stable per stack and logical id. */
function mappingUuid(stackName: string, logicalId: string): string {
  const hex = createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `a${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/** Resolves a template's values in one stack of one account and region. */
export class Deployment {
  readonly account = REHEARSAL_ACCOUNT;
  readonly region = REHEARSAL_REGION;
  readonly #physical = new Map<string, Physical>();

  constructor(
    readonly template: Template,
    readonly stackName: string,
  ) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      this.#physical.set(logicalId, this.#physicalOf(logicalId, resource));
    }
  }

  resource(logicalId: string): TemplateResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }

  /** Logical ids of the resources of `type`, in template order. */
  ofType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId]) => logicalId);
  }

  ref(logicalId: string): string {
    return this.#lookup(logicalId).ref;
  }

  arn(logicalId: string): string {
    return this.attribute(logicalId, 'Arn');
  }

  attribute(logicalId: string, name: string): string {
    const value = this.#lookup(logicalId).attributes[name];
    if (value === undefined) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${name}`);
    return value;
  }

  /** `value` with every intrinsic function resolved. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [name, argument] = entries[0] ?? [];
    if (entries.length === 1 && name !== undefined && (name === 'Ref' || name.startsWith('Fn::'))) {
      return this.#intrinsic(name, argument);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  /** `value` resolved, which must come out a string. */
  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  /** Each value of `values` resolved to a string (a function's variables, as Lambda gets them). */
  resolveStrings(values: Readonly<Record<string, unknown>>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, this.resolveString(value)]),
    );
  }

  #intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.#pseudo(String(argument)) ?? this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        return this.attribute(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => this.resolveString(part)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = (typeof argument === 'string' ? [argument] : argument) as [
          string,
          Record<string, unknown>?,
        ];
        return text.replace(/\$\{([^}]+)\}/g, (_, reference: string) => {
          if (reference in variables) return this.resolveString(variables[reference]);
          const [logicalId = '', attribute] = reference.split('.');
          return attribute === undefined
            ? (this.#pseudo(logicalId) ?? this.ref(logicalId))
            : this.attribute(logicalId, attribute);
        });
      }
      default:
        throw new Error(`the rehearsal cannot resolve ${name}`);
    }
  }

  #pseudo(name: string): string | undefined {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.account,
      'AWS::Region': this.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
    };
    return pseudo[name];
  }

  #lookup(logicalId: string): Physical {
    const physical = this.#physical.get(logicalId);
    if (physical === undefined) throw new Error(`the template has no resource ${logicalId}`);
    return physical;
  }

  #physicalOf(logicalId: string, resource: TemplateResource): Physical {
    const { account, region } = this;
    const props = resource.Properties ?? {};
    const generated = `${this.stackName}-${logicalId.slice(0, 40)}-${suffix(logicalId, 12)}`;
    const named = (property: string) =>
      typeof props[property] === 'string' ? (props[property] as string) : generated;
    switch (resource.Type) {
      case 'AWS::SQS::Queue': {
        const name = named('QueueName');
        return {
          ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
          attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name },
        };
      }
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName');
        return { ref: name, attributes: { Arn: `arn:aws:dynamodb:${region}:${account}:table/${name}` } };
      }
      case 'AWS::SecretsManager::Secret': {
        const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${named('Name')}-${suffix(logicalId, 6)}`;
        return { ref: arn, attributes: { Id: arn } };
      }
      case 'AWS::S3::Bucket': {
        const name = named('BucketName').toLowerCase();
        return {
          ref: name,
          attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` },
        };
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName');
        return { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` } };
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName');
        return {
          ref: name,
          attributes: { Arn: `arn:aws:iam::${account}:role/${name}`, RoleId: `AROA${suffix(logicalId, 16)}` },
        };
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName');
        return { ref: name, attributes: { Arn: `arn:aws:lambda:${region}:${account}:function:${name}` } };
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const uuid = mappingUuid(this.stackName, logicalId);
        const arn = `arn:aws:lambda:${region}:${account}:event-source-mapping:${uuid}`;
        return { ref: uuid, attributes: { Id: uuid, EventSourceMappingArn: arn } };
      }
      case 'AWS::Scheduler::ScheduleGroup': {
        const name = named('Name');
        return {
          ref: name,
          attributes: { Arn: `arn:aws:scheduler:${region}:${account}:schedule-group/${name}` },
        };
      }
      case 'AWS::ApiGatewayV2::Api': {
        const id = suffix(logicalId, 10).toLowerCase();
        return {
          ref: id,
          attributes: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com` },
        };
      }
      default:
        return { ref: logicalId, attributes: {} };
    }
  }
}
