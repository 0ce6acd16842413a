/**
 * Changes made on purpose to a copy of the rehearsal's template, to show the judge catches them: a
 * grant taken away or widened, on any policy attached to a role (its default policy and the others,
 * such as a handler's `CircuitPolicy`).
 */
import type { PolicyStatement } from '../../rehearsal/policies.js';
import type { Template } from '../../rehearsal/template.js';

interface PolicyResource {
  readonly Properties: { Roles?: { Ref?: string }[]; PolicyDocument: { Statement: PolicyStatement[] } };
}

function policiesOf(template: Template, roleLogicalId: string): [string, PolicyResource][] {
  return Object.entries(template.Resources).flatMap(([id, resource]): [string, PolicyResource][] => {
    if (resource.Type !== 'AWS::IAM::Policy') return [];
    const policy = resource as unknown as PolicyResource;
    return (policy.Properties.Roles ?? []).some((role) => role.Ref === roleLogicalId) ? [[id, policy]] : [];
  });
}

const actionsOf = (statement: PolicyStatement) =>
  typeof statement.Action === 'string' ? [statement.Action] : [...(statement.Action ?? [])];

/** Every statement granting `action` to the role, as it is in the template (changes stick). */
function grantsOf(template: Template, roleLogicalId: string, action: string): PolicyStatement[] {
  const found = policiesOf(template, roleLogicalId).flatMap(([, policy]) =>
    policy.Properties.PolicyDocument.Statement.filter((statement) => actionsOf(statement).includes(action)),
  );
  if (found.length === 0) throw new Error(`${roleLogicalId} is granted no ${action}`);
  return found;
}

/** Takes `action` away from the role: a statement left without actions goes, a policy left without statements too. */
export function revoke(template: Template, roleLogicalId: string, action: string): void {
  grantsOf(template, roleLogicalId, action);
  for (const [id, policy] of policiesOf(template, roleLogicalId)) {
    const document = policy.Properties.PolicyDocument;
    document.Statement = document.Statement.flatMap((statement) => {
      const actions = actionsOf(statement).filter((candidate) => candidate !== action);
      if (actions.length === 0) return [];
      return [{ ...statement, Action: actions.length === 1 ? (actions[0] as string) : actions }];
    });
    if (document.Statement.length === 0) delete (template.Resources as Record<string, unknown>)[id];
  }
}

/** Replaces every statement granting `action` to the role with `change` of it. */
export function widen(
  template: Template,
  roleLogicalId: string,
  action: string,
  change: (statement: PolicyStatement) => PolicyStatement,
): void {
  grantsOf(template, roleLogicalId, action);
  for (const [, policy] of policiesOf(template, roleLogicalId)) {
    const document = policy.Properties.PolicyDocument;
    document.Statement = document.Statement.map((statement) =>
      actionsOf(statement).includes(action) ? change(statement) : statement,
    );
  }
}
