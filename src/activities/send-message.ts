import { ApplicationFailure } from '@temporalio/activity';
import { isChannelError, type SendReceipt } from '../channels/channel';
import type { WireTurn } from '../channels/wire-turns';
import { claimWithinCaps } from '../deliveries/claim-within-caps';
import { deliveryIdFor } from '../deliveries/delivery-id';
import { OUTCOME_UNKNOWN, recordedOutcome, type DeliveryRow } from '../deliveries/delivery-row';
import {
  openDelivery,
  readDelivery,
  recordDeferral,
  recordOutcomeUnknown,
  recordRejected,
  recordSent,
  releaseClaim,
  settlePending,
} from '../deliveries/ledger';
import { mergeCapRules } from '../guardrails/cap-rules';
import { mainPoolConsentGate } from '../guardrails/consent-gate';
import { suppressAfterSendFailure } from '../bounces/record-bounce';
import { runSendChecks, sendChecks } from '../guardrails/send-checks';
import { erasureCheck } from '../privacy/erasure-check';
import { readSendState } from '../guardrails/send-state';
import type { SendOutcome } from '../journeys/run-types';
import { TemplateError } from '../templates/template-error';
import { activityLog } from './activity-log';
import { whileHeartbeating } from './heartbeat';
import type { PreparedMessage } from './channel-drivers/driver';
import { driverFor, prepareMessage } from './channel-drivers/prepare-message';
import { FailureType } from './failures';
import { parseSendRequest } from './send-request';
import type { ActivityDeps, SendMessageRequest } from './types';

/**
 * The send path, fail closed. Each step is one small write, ordered so the ledger row exists and
 * is claimed before the provider is called:
 *   ledger row → consent gate → fresh read of the customer with their suppression and topic state
 *   → address (driver) → checks: erasure, suppression, consent, topic (send-checks.ts) →
 *   render and adapt (driver) → a free connection of a pooled channel (wire-turns.ts) → claim
 *   within caps → provider → record → gate released. The whole attempt heartbeats.
 * An email with no caps and no tracking costs eight statements in seven round trips: the ledger
 * row, the gate's BEGIN and lock (sent together, one round trip), the read, the erasure check
 * (its hashes need the address the read found), the claim, the record and the gate's COMMIT;
 * the hot ones are built once per database (src/db/prepared.ts), not per send. Each is kept for
 * a guarantee:
 * the row and the claim commit on their own before the provider call (a crash mid-send leaves
 * the claim that stops a retry from sending twice); the read is a statement of its own after the
 * lock (read in the lock's statement, its snapshot would predate a consent change the lock waited
 * for); the gate's transaction holds the lock until the provider has answered.
 * A retry that finds a recorded outcome returns it; one that finds a claimed but unrecorded send
 * records "unknown" instead of risking a second message.
 */
export function createSendMessage(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  // No gate given: the same locks on the main pool. Ordering is never silently dropped.
  const gate = deps.consentGate ?? mainPoolConsentGate(deps.db);
  const checks = sendChecks(erasureCheck(deps.identifierKey));

  return function sendMessage(input: SendMessageRequest): Promise<SendOutcome> {
    return whileHeartbeating(() => send(input));
  };

  async function send(input: SendMessageRequest): Promise<SendOutcome> {
    const request = parseSendRequest(input);
    const deliveryId = deliveryIdFor(request.deliveryKey);
    const row = await openDelivery(deps.db, request, deliveryId);
    if (!row) return skippedWithoutRecord(deliveryId, request);
    assertSameDelivery(row, request);

    const settled = await settledOutcome(row, request);
    if (settled) return settled;

    // Consent is read, and the message leaves, while no consent change can commit in between.
    return gate.holdForSend(request.customerId, () => sendChecked(row, request));
  }

  /** Everything from the fresh customer read to the provider's answer, under the consent gate. */
  async function sendChecked(row: DeliveryRow, request: SendMessageRequest): Promise<SendOutcome> {
    // One statement: the customer, the suppression of their address and their topic state.
    const state = await readSendState(deps.db, request);
    if (!state) return finishPending(row, 'skipped', 'customer_not_found');
    const { customer } = state;
    const found = await driverFor(request.channel).findRecipient({ deps, customer });
    if ('skipped' in found) return finishPending(row, 'skipped', found.skipped);
    const checked = await runSendChecks(
      {
        db: deps.db,
        customerId: customer.id,
        channel: request.channel,
        messageKind: request.messageKind,
        ...(request.topic ? { topic: request.topic } : {}),
        consent: customer.consent,
        emailMarketingDefault: deps.config.emailMarketingDefault ?? 'opted_in',
        suppressionChannel: found.suppressionChannel,
        addresses: found.addresses,
        known: { suppression: state.suppression, topic: state.topic },
      },
      checks,
    );
    if (!checked.allowed) return finishPending(row, 'skipped', checked.reason);
    const recipient = { ...found, addresses: checked.addresses };
    const prepared = await prepareMessage({
      deps,
      request,
      customer,
      recipient,
      deliveryId: row.id,
    });
    if (prepared instanceof TemplateError) return renderFailed(row, request, prepared);
    if ('skipped' in prepared) return finishPending(row, 'skipped', prepared.skipped);
    if ('failed' in prepared) return finishPending(row, 'failed', prepared.failed);
    return claimAndDeliver(row, request, prepared);
  }

  /** The last check: caps, decided atomically with the claim (pending → sending). */
  async function claimAndDeliver(
    row: DeliveryRow,
    request: SendMessageRequest,
    prepared: PreparedMessage,
  ): Promise<SendOutcome> {
    // A pooled channel's connection is waited for before the claim: while a send waits, its row is
    // still pending, so a worker dying meanwhile loses nothing; once claimed it goes out at once.
    const turn = await prepared.awaitTurn?.();
    try {
      return await claimAndSend(row, request, prepared, turn);
    } finally {
      turn?.release();
    }
  }

  async function claimAndSend(
    row: DeliveryRow,
    request: SendMessageRequest,
    prepared: PreparedMessage,
    turn: WireTurn | undefined,
  ): Promise<SendOutcome> {
    const claim = await claimWithinCaps(deps.db, {
      deliveryId: row.id,
      customerId: request.customerId,
      channel: request.channel,
      messageKind: request.messageKind,
      rules: mergeCapRules(deps.config.caps ?? [], request.caps ?? []),
      now: clock(),
      patch: { recipient: prepared.recipient, subject: prepared.summary },
    });
    if (claim.kind === 'lost') throw inProgress(row.id);
    if (claim.kind === 'capped') return capped(row, request, claim.retryAt);
    return deliver(claim.row, request, prepared, turn);
  }

  function renderFailed(
    row: DeliveryRow,
    request: SendMessageRequest,
    error: TemplateError,
  ): Promise<SendOutcome> {
    activityLog('warn', 'template failed to render', {
      deliveryId: row.id,
      stepId: request.stepId,
      part: error.part,
      reason: error.reason,
      path: error.path,
    });
    return finishPending(row, 'failed', 'render_error');
  }

  /**
   * Over a frequency cap: skip, or leave the row pending and tell the run when to try the same
   * message again (it waits on a durable timer, then this activity re-checks everything).
   */
  async function capped(
    row: DeliveryRow,
    request: SendMessageRequest,
    retryAt: Date,
  ): Promise<SendOutcome> {
    if (request.onCap === 'skip') return finishPending(row, 'skipped', 'frequency_capped');
    await recordDeferral(deps.db, row.id, retryAt);
    return {
      status: 'deferred',
      deliveryId: row.id,
      reason: 'frequency_capped',
      retryAt: retryAt.getTime(),
    };
  }

  async function deliver(
    row: DeliveryRow,
    request: SendMessageRequest,
    prepared: PreparedMessage,
    turn: WireTurn | undefined,
  ): Promise<SendOutcome> {
    let receipt: SendReceipt;
    await deps.faults?.beforeProviderCall?.(request.deliveryKey);
    try {
      receipt = await prepared.send(row.id, turn);
    } catch (error) {
      return providerFailed(row, error);
    }
    await deps.faults?.afterProviderAccept?.(request.deliveryKey);
    await recordSent(deps.db, row.id, { ...receipt, sentAt: clock() });
    activityLog('info', 'message sent', {
      deliveryId: row.id,
      stepId: request.stepId,
      channel: request.channel,
      attempt: row.attempts,
    });
    await afterSend(prepared, receipt, row.id);
    await deps.faults?.afterDeliveryRecorded?.(request.deliveryKey);
    return { status: 'sent', deliveryId: row.id };
  }

  /** Bookkeeping after the send is recorded; its failure must not turn a sent message into a retry. */
  async function afterSend(prepared: PreparedMessage, receipt: SendReceipt, deliveryId: string) {
    try {
      await prepared.afterSend?.(receipt);
    } catch (error) {
      activityLog('warn', 'post-send bookkeeping failed', {
        deliveryId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
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
      const failed = await recordRejected(deps.db, row.id, reason);
      await suppressRefusedAddress(row, error.code);
      return failed
        ? { status: 'failed', deliveryId: row.id, reason }
        : outcomeOf(await reread(row));
    }
    await releaseClaim(deps.db, row.id);
    activityLog('warn', 'provider failed transiently; retrying', {
      deliveryId: row.id,
      code: error.code,
    });
    throw ApplicationFailure.retryable(
      `${error.channel} provider unavailable: ${error.code}`,
      FailureType.providerTransient,
    );
  }

  /**
   * A refusal that says the address is dead (SMTP 550, Twilio 21211) suppresses it. The failure is
   * recorded already: trouble here is logged, never turned into a retry of the send.
   */
  async function suppressRefusedAddress(row: DeliveryRow, code: string): Promise<void> {
    if (!row.recipient) return;
    try {
      const reason = await suppressAfterSendFailure(deps.db, {
        channel: row.channel,
        address: row.recipient,
        code,
      });
      if (reason) activityLog('info', 'refused address suppressed', { deliveryId: row.id, reason });
    } catch (error) {
      activityLog('warn', 'suppressing a refused address failed', {
        deliveryId: row.id,
        code,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }

  /**
   * Returns the outcome a previous attempt recorded, or null when this attempt should go on. An
   * earlier attempt that claimed the send and never recorded how it ended ('sending') is recorded
   * unknown, or, when the step asks to resend, given back so that this attempt sends again.
   */
  async function settledOutcome(
    row: DeliveryRow,
    request?: SendMessageRequest,
  ): Promise<SendOutcome | null> {
    const recorded = recordedOutcome(row);
    if (recorded || row.status === 'pending') return recorded;
    if (request?.onUnknown === 'resend' && (await releaseClaim(deps.db, row.id))) {
      activityLog(
        'warn',
        'earlier send attempt was interrupted; sending again (onUnknown: resend)',
        {
          deliveryId: row.id,
        },
      );
      return null;
    }
    const marked = await recordOutcomeUnknown(deps.db, row.id);
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
    const finished = await settlePending(deps.db, row.id, status, reason);
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
