/**
 * EventBridge Scheduler for the stack's one-time schedules, over real HTTP (REST-JSON):
 * `CreateSchedule` (in a schedule group of the template, or `default`; a name already taken in the
 * group is a `ConflictException`) and `DeleteSchedule` (a missing one is `ResourceNotFoundException`).
 * A schedule runs its target at its `at(...)` time, in UTC, to the second (Scheduler itself fires
 * within its minute), once: a failed target is kept as the schedule's outcome rather than retried.
 * `ActionAfterCompletion: DELETE` then deletes it. Running the target, as the schedule's role, is
 * `runTarget`'s job (./universal-target.ts).
 */
import { type RestAnswer, serveRestJson } from './rest-json-server.js';
import type { StandIn } from './stand-ins.js';

/** A schedule's target, as created. */
export interface ScheduleTarget {
  readonly arn: string;
  readonly roleArn: string;
  readonly input?: string;
}

/** A schedule, from its creation on: what became of it is filled in as it happens. */
export interface ScheduleRecord {
  readonly name: string;
  readonly group: string;
  readonly arn: string;
  readonly expression: string;
  readonly at: Date;
  readonly target: ScheduleTarget;
  readonly actionAfterCompletion: string;
  readonly createdAt: Date;
  /** When it ran its target, and the target's error if it failed. */
  firedAt?: Date;
  error?: string;
  /** When it was deleted: by `DeleteSchedule`, or after it ran (`ActionAfterCompletion: DELETE`). */
  deletedAt?: Date;
  deletedBy?: 'DeleteSchedule' | 'completion';
}

export interface SchedulerStandIn extends StandIn {
  /** Every schedule ever created, in order. */
  readonly history: readonly ScheduleRecord[];
  /** The schedules that exist now. */
  existing(): ScheduleRecord[];
}

export interface SchedulerOptions {
  readonly region: string;
  readonly account: string;
  /** The template's schedule groups (`default` exists in every account). */
  readonly groups: readonly string[];
  /** Runs a schedule's target; rejects when the target fails. */
  readonly runTarget: (schedule: ScheduleRecord) => Promise<void>;
}

const NAME = /^[0-9a-zA-Z._-]{1,64}$/;
const AT_EXPRESSION = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

function error(status: number, type: string, message: string): RestAnswer {
  return { status, errorType: type, body: { Message: message } };
}

const invalid = (message: string) => error(400, 'ValidationException', message);

export async function startScheduler(options: SchedulerOptions): Promise<SchedulerStandIn> {
  const groups = new Set(['default', ...options.groups]);
  const history: ScheduleRecord[] = [];
  const timers = new Map<ScheduleRecord, NodeJS.Timeout>();
  const existing = () => history.filter((schedule) => schedule.deletedAt === undefined);
  const find = (group: string, name: string) =>
    existing().find((schedule) => schedule.group === group && schedule.name === name);
  const remove = (schedule: ScheduleRecord, by: NonNullable<ScheduleRecord['deletedBy']>) => {
    clearTimeout(timers.get(schedule));
    timers.delete(schedule);
    schedule.deletedAt = new Date();
    schedule.deletedBy = by;
  };
  const fire = async (schedule: ScheduleRecord) => {
    timers.delete(schedule);
    schedule.firedAt = new Date();
    try {
      await options.runTarget(schedule);
    } catch (failure: unknown) {
      schedule.error = failure instanceof Error ? failure.message : String(failure);
    }
    if (schedule.actionAfterCompletion === 'DELETE' && schedule.deletedAt === undefined) {
      remove(schedule, 'completion');
    }
  };

  const create = (input: Readonly<Record<string, unknown>>): RestAnswer => {
    const name = String(input.Name);
    const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
    if (!NAME.test(name) || !NAME.test(group))
      return invalid(`invalid schedule or group name: ${group}/${name}`);
    if (!groups.has(group))
      return error(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    if (find(group, name) !== undefined)
      return error(409, 'ConflictException', `Schedule ${name} already exists.`);
    const timezone = input.ScheduleExpressionTimezone ?? 'UTC';
    const at = AT_EXPRESSION.exec(String(input.ScheduleExpression))?.[1];
    if (at === undefined || timezone !== 'UTC') {
      return invalid("the rehearsal's Scheduler runs one-time at(...) schedules in UTC only");
    }
    const target = input.Target as { Arn?: unknown; RoleArn?: unknown; Input?: unknown } | undefined;
    if (typeof target?.Arn !== 'string' || typeof target.RoleArn !== 'string') {
      return invalid('Target needs Arn and RoleArn');
    }
    if ((input.FlexibleTimeWindow as { Mode?: unknown } | undefined)?.Mode === undefined) {
      return invalid('FlexibleTimeWindow is required');
    }
    const schedule: ScheduleRecord = {
      name,
      group,
      arn: `arn:aws:scheduler:${options.region}:${options.account}:schedule/${group}/${name}`,
      expression: String(input.ScheduleExpression),
      at: new Date(`${at}Z`),
      target: {
        arn: target.Arn,
        roleArn: target.RoleArn,
        ...(typeof target.Input === 'string' && { input: target.Input }),
      },
      actionAfterCompletion: String(input.ActionAfterCompletion ?? 'NONE'),
      createdAt: new Date(),
    };
    history.push(schedule);
    timers.set(
      schedule,
      setTimeout(() => void fire(schedule), Math.max(0, schedule.at.getTime() - Date.now())),
    );
    return { status: 200, body: { ScheduleArn: schedule.arn } };
  };

  const deleteSchedule = (input: Readonly<Record<string, unknown>>): RestAnswer => {
    const name = String(input.Name);
    const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
    const schedule = find(group, name);
    if (schedule === undefined) {
      return error(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    }
    remove(schedule, 'DeleteSchedule');
    return { status: 200, body: {} };
  };

  const served = await serveRestJson('scheduler', { CreateSchedule: create, DeleteSchedule: deleteSchedule });
  return {
    endpoint: served.endpoint,
    history,
    existing,
    async stop() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await served.stop();
    },
  };
}
