import { ApplicationFailure } from '@temporalio/activity';
import { isChannelError } from '../channels/channel';
import type { SendOutcome } from '../journeys/run-types';
import { renderEmail, type RenderedEmail } from '../templates/render';
import { TemplateError } from '../templates/template-error';
import { buildTemplateScope } from '../templates/template-scope';
import { activityLog } from './activity-log';
import {
  OUTCOME_UNKNOWN,
  deliveryIdFor,
  openDelivery,
  readDelivery,
  recordedOutcome,
  transition,
  type DeliveryRow,
} from './delivery-ledger';
import { FailureType } from './failures';
import { readCustomer, type CustomerRow } from './profiles';
import { parseSendRequest, templateVariables } from './send-request';
import type { ActivityDeps, SendMessageRequest } from './types';

/**
 * The send path, fail closed. Each step is one small write, ordered so the ledger row exists and
 * is claimed before the provider is called:
 *   ledger row → fresh customer read (consent, address) → render → claim → provider → record.
 * A retry that finds a recorded outcome returns it; one that finds a claimed but unrecorded send
 * records "unknown" instead of risking a second message.
 */
export function createSendMessage(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());

  return async function sendMessage(input: SendMessageRequest): Promise<SendOutcome> {
    const request = parseSendRequest(input);
    const deliveryId = deliveryIdFor(request.deliveryKey);
    const row = await openDelivery(deps.db, request, deliveryId);
    if (!row) return skippedWithoutRecord(deliveryId, request);
    assertSameDelivery(row, request);

    const settled = await settledOutcome(row);
    if (settled) return settled;

    const customer = await readCustomer(deps.db, request.customerId);
    const skipReason = ineligibility(customer);
    if (skipReason || !customer?.email)
      return finishPending(row, 'skipped', skipReason ?? 'no_email');

    const rendered = render(request, customer);
    if (rendered instanceof TemplateError) {
      activityLog('warn', 'template failed to render', {
        deliveryId,
        stepId: request.stepId,
        part: rendered.part,
        reason: rendered.reason,
        path: rendered.path,
      });
      return finishPending(row, 'failed', 'render_error');
    }

    const claimed = await transition(
      deps.db,
      row.id,
      ['pending'],
      { status: 'sending', recipient: customer.email, subject: rendered.subject },
      { countAttempt: true },
    );
    if (!claimed) throw inProgress(deliveryId);
    return deliver(claimed, request, customer.email, rendered);
  };

  async function deliver(
    row: DeliveryRow,
    request: SendMessageRequest,
    to: string,
    rendered: RenderedEmail,
  ): Promise<SendOutcome> {
    let providerMessageId: string;
    try {
      const receipt = await deps.email.send({
        deliveryId: row.id,
        to,
        ...rendered,
        from: deps.config.emailFrom,
      });
      providerMessageId = receipt.providerMessageId;
    } catch (error) {
      return providerFailed(row, error);
    }
    await deps.faults?.afterProviderAccept?.(request.deliveryKey);
    // 'unknown' too: a retry may have given up on this attempt while the provider was answering.
    await transition(deps.db, row.id, ['sending', 'unknown'], {
      status: 'sent',
      reason: null,
      providerMessageId,
      sentAt: clock(),
    });
    activityLog('info', 'message sent', {
      deliveryId: row.id,
      stepId: request.stepId,
      attempt: row.attempts,
    });
    await deps.faults?.afterDeliveryRecorded?.(request.deliveryKey);
    return { status: 'sent', deliveryId: row.id };
  }

  async function providerFailed(row: DeliveryRow, error: unknown): Promise<SendOutcome> {
    if (!isChannelError(error)) {
      // Unclassified: the provider may have taken the message. The row stays 'sending', so the
      // retry records the outcome as unknown rather than sending again.
      throw error;
    }
    if (error.kind === 'permanent') {
      activityLog('warn', 'provider rejected message', { deliveryId: row.id, code: error.code });
      const reason = `provider_rejected:${error.code}`;
      const failed = await transition(deps.db, row.id, ['sending'], { status: 'failed', reason });
      return failed
        ? { status: 'failed', deliveryId: row.id, reason }
        : outcomeOf(await reread(row));
    }
    await transition(deps.db, row.id, ['sending'], { status: 'pending' });
    activityLog('warn', 'provider failed transiently; retrying', {
      deliveryId: row.id,
      code: error.code,
    });
    throw ApplicationFailure.retryable(
      `email provider unavailable: ${error.code}`,
      FailureType.providerTransient,
    );
  }

  /** Returns the outcome a previous attempt recorded, or null when this attempt should go on. */
  async function settledOutcome(row: DeliveryRow): Promise<SendOutcome | null> {
    const recorded = recordedOutcome(row);
    if (recorded || row.status === 'pending') return recorded;
    // 'sending': an earlier attempt claimed the send and never recorded how it ended.
    const marked = await transition(deps.db, row.id, ['sending'], {
      status: 'unknown',
      reason: OUTCOME_UNKNOWN,
    });
    if (marked) {
      activityLog('warn', 'earlier send attempt was interrupted; outcome unknown', {
        deliveryId: row.id,
      });
      return { status: 'failed', deliveryId: row.id, reason: OUTCOME_UNKNOWN };
    }
    return settledOutcome(await reread(row));
  }

  async function finishPending(
    row: DeliveryRow,
    status: 'skipped' | 'failed',
    reason: string,
  ): Promise<SendOutcome> {
    const finished = await transition(deps.db, row.id, ['pending'], { status, reason });
    if (finished) return { status, deliveryId: row.id, reason };
    return outcomeOf(await reread(row));
  }

  async function outcomeOf(row: DeliveryRow): Promise<SendOutcome> {
    const settled = await settledOutcome(row);
    if (settled) return settled;
    throw inProgress(row.id);
  }

  function reread(row: DeliveryRow): Promise<DeliveryRow> {
    return readDelivery(deps.db, row.deliveryKey);
  }

  function render(
    request: SendMessageRequest,
    customer: CustomerRow,
  ): RenderedEmail | TemplateError {
    const { trigger, context } = templateVariables(request);
    const links = {
      ...(deps.config.appUrl ? { app: deps.config.appUrl } : {}),
      ...deps.config.links,
    };
    const scope = buildTemplateScope(customer, trigger, context, { ...deps.config, links });
    try {
      return renderEmail(request.content, scope);
    } catch (error) {
      if (error instanceof TemplateError) return error;
      throw error;
    }
  }
}

/** Why this customer must not get the message now, or null when they may. */
function ineligibility(customer: CustomerRow | null): string | null {
  if (!customer) return 'customer_not_found';
  if (!customer.email) return 'no_email';
  // Marketing and transactional alike for now; suppression and topics refine this later.
  if (customer.consent.email === 'opted_out') return 'no_consent';
  return null;
}

function skippedWithoutRecord(deliveryId: string, request: SendMessageRequest): SendOutcome {
  activityLog('warn', 'send skipped: customer not found', { deliveryId, stepId: request.stepId });
  return { status: 'skipped', deliveryId, reason: 'customer_not_found' };
}

/** A key reused for a different customer or step is a bug upstream; refuse rather than guess. */
function assertSameDelivery(row: DeliveryRow, request: SendMessageRequest): void {
  const mismatch = (['customerId', 'journeyId', 'workflowId', 'stepId', 'channel'] as const).find(
    (field) => row[field] !== request[field],
  );
  if (mismatch) {
    throw ApplicationFailure.nonRetryable(
      `delivery key already used with a different ${mismatch}`,
      FailureType.deliveryKeyConflict,
    );
  }
}

/** Another attempt holds the claim right now; back off and read its outcome on the retry. */
function inProgress(deliveryId: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `delivery ${deliveryId} is being sent by another attempt`,
    FailureType.deliveryInProgress,
  );
}
