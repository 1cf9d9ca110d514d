import { errorResponseSchema, type ApiIssue } from '../contract/common';
import type { BounceReportInput, BounceWebhookResult } from '../contract/bounces';
import type { ConversionQuery, ConversionReport } from '../contract/conversions';
import type { Customer, CustomerUpsert, CustomerUpsertResponse } from '../contract/customers';
import type { DeliveryList } from '../contract/deliveries';
import {
  MAX_EVENT_WAIT_MS,
  type EventBatchResult,
  type EventInput,
  type EventResult,
  type EventState,
} from '../contract/events';
import type { PreviewRequest, PreviewResult } from '../contract/preview';
import type { CustomerExport, ErasureRequestResponse, ErasureResponse } from '../contract/privacy';
import type {
  CustomerIdentities,
  MergeRecord,
  MergeRequestBody,
  MergeResult,
} from '../contract/identity';
import type { InboxList, InboxListQuery, InboxMessage, InboxUnreadCount } from '../contract/inbox';
import type {
  JourneyCreated,
  JourneyDetail,
  JourneyList,
  JourneyVersionView,
} from '../contract/journeys';
import type {
  CancelRunItemResult,
  CancelRunResult,
  CancelRunsResult,
  RunDetail,
  RunList,
  StartRunBatchRequest,
  StartRunBatchResult,
  StartRunRequest,
  StartRunResult,
} from '../contract/runs';
import type {
  Suppression,
  SuppressionCreated,
  SuppressionInput,
  SuppressionList,
  SuppressionListQuery,
} from '../contract/suppressions';
import type {
  ScoreDefinitionInput,
  ScoreDetail,
  ScoreList,
  ScorePublished,
  ScoreRecompute,
} from '../contract/scores';
import type { SourceCreate, SourceView, SyncRunStarted, SyncRunView } from '../contract/sources';
import type { Timeline, TimelineQuery } from '../contract/timeline';
import type {
  CustomerTopic,
  CustomerTopicList,
  TopicInput,
  TopicList,
  TopicUpsertResponse,
} from '../contract/topics';
import type { JourneyDefinitionInput } from '../contract/journeys';
import { CairnApiError, CairnValidationError } from './errors';

export interface CairnClientOptions {
  /** e.g. "https://cairn.internal:3000" */
  baseUrl: string;
  apiKey: string;
  /** Defaults to the global fetch (Node 20+). */
  fetch?: typeof fetch;
}

/**
 * The typed client for backend code. Request and response types are the API's own zod schemas;
 * every non-2xx answer becomes a CairnApiError (CairnValidationError for 400, with field paths).
 */
export class CairnClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: CairnClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  upsertCustomer(id: string, profile: CustomerUpsert): Promise<CustomerUpsertResponse> {
    return this.request('PUT', `/v1/customers/${enc(id)}`, profile);
  }

  getCustomer(id: string): Promise<Customer> {
    return this.request('GET', `/v1/customers/${enc(id)}`);
  }

  // --- privacy ------------------------------------------------------------------------------

  /**
   * Erases the customer (right to be forgotten): answered at once with the erasure, which runs in
   * the background; from then on events and writes for the id are refused. Idempotent. The
   * customers merged into it are erased with it (`mergedCustomers`).
   */
  eraseCustomer(id: string): Promise<ErasureRequestResponse> {
    return this.request('DELETE', `/v1/customers/${enc(id)}`);
  }

  getErasure(id: string): Promise<ErasureResponse> {
    return this.request('GET', `/v1/customers/${enc(id)}/erasure`);
  }

  /** Everything Cairn holds about the customer. */
  exportCustomer(id: string): Promise<CustomerExport> {
    return this.request('GET', `/v1/customers/${enc(id)}/export`);
  }

  // --- identity -----------------------------------------------------------------------------

  /** Merges `body.from` into the customer `id` (the survivor); reversible with unmergeCustomers. */
  mergeCustomers(id: string, body: MergeRequestBody): Promise<MergeResult> {
    return this.request('POST', `/v1/customers/${enc(id)}/merge`, body);
  }

  /** Undoes a merge (its id is in mergeCustomers' answer and in getIdentities). */
  unmergeCustomers(mergeId: string): Promise<MergeRecord> {
    return this.request('POST', `/v1/merges/${enc(mergeId)}/unmerge`, {});
  }

  /** The customer's identifiers and the merges they took part in. */
  getIdentities(id: string): Promise<CustomerIdentities> {
    return this.request('GET', `/v1/customers/${enc(id)}/identities`);
  }

  // --- events -------------------------------------------------------------------------------

  /**
   * Stores the event; the router routes it in the background. Idempotent by event.id: resending
   * returns { duplicate: true } and stores nothing. With waitUntilRouted (ms), also waits up to
   * that long for it to be routed and answers its routing state (routed: false if the wait ran
   * out), e.g. to know which runs it started.
   */
  sendEvent(event: EventInput): Promise<EventResult>;
  sendEvent(
    event: EventInput,
    options: { waitUntilRouted: number },
  ): Promise<EventResult & { state: EventState }>;
  async sendEvent(
    event: EventInput,
    options: { waitUntilRouted?: number } = {},
  ): Promise<EventResult | (EventResult & { state: EventState })> {
    const result = await this.request<EventResult>('POST', '/v1/events', event);
    if (options.waitUntilRouted === undefined) return result;
    return { ...result, state: await this.getEvent(event.id, { waitMs: options.waitUntilRouted }) };
  }

  /** Up to 500 events, all or nothing. */
  sendEvents(items: EventInput[]): Promise<EventBatchResult> {
    return this.request('POST', '/v1/events/batch', { items });
  }

  /**
   * A stored event's routing state. waitMs waits up to that long for it to be routed (the server
   * waits at most 30 s per request; a longer wait asks again); the state is answered either way.
   */
  async getEvent(id: string, options: { waitMs?: number } = {}): Promise<EventState> {
    const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
    for (;;) {
      const waitMs = Math.min(MAX_EVENT_WAIT_MS, Math.max(0, deadline - Date.now()));
      const state = await this.request<EventState>(
        'GET',
        `/v1/events/${enc(id)}${waitMs > 0 ? `?waitMs=${waitMs}` : ''}`,
      );
      if (state.routed || Date.now() >= deadline) return state;
    }
  }

  // --- end of events ------------------------------------------------------------------------

  createJourney(definition: JourneyDefinitionInput): Promise<JourneyCreated> {
    return this.request('POST', '/v1/journeys', definition);
  }

  getJourney(id: string): Promise<JourneyDetail> {
    return this.request('GET', `/v1/journeys/${enc(id)}`);
  }

  getJourneyVersion(id: string, version: number): Promise<JourneyVersionView> {
    return this.request('GET', `/v1/journeys/${enc(id)}/versions/${version}`);
  }

  listJourneys(): Promise<JourneyList> {
    return this.request('GET', '/v1/journeys');
  }

  /**
   * What a journey version would send a customer over the next days, and when, with the
   * decisions on the way. Give `customerId` (a stored customer) or `profile`; nothing is stored.
   */
  previewJourney(journeyId: string, request: PreviewRequest): Promise<PreviewResult> {
    return this.request('POST', `/v1/journeys/${enc(journeyId)}/preview`, request);
  }

  startJourney(journeyId: string, request: StartRunRequest): Promise<StartRunResult> {
    return this.request('POST', `/v1/journeys/${enc(journeyId)}/runs`, request);
  }

  getRun(workflowId: string): Promise<RunDetail> {
    return this.request('GET', `/v1/runs/${enc(workflowId)}`);
  }

  cancelRun(workflowId: string, reason?: string): Promise<CancelRunResult> {
    return this.request('POST', `/v1/runs/${enc(workflowId)}/cancel`, reason ? { reason } : {});
  }

  listRuns(customerId: string): Promise<RunList> {
    return this.request('GET', `/v1/customers/${enc(customerId)}/runs`);
  }

  listDeliveries(customerId: string, options: { limit?: number } = {}): Promise<DeliveryList> {
    const query = options.limit !== undefined ? `?limit=${options.limit}` : '';
    return this.request('GET', `/v1/customers/${enc(customerId)}/deliveries${query}`);
  }

  /**
   * Everything that explains why a customer did or didn't get a message, oldest first: events,
   * runs entered and exited, decisions with the values they saw, deliveries, conversions.
   */
  getTimeline(customerId: string, options: TimelineQuery = {}): Promise<Timeline> {
    const params = new URLSearchParams();
    if (options.since) params.set('since', options.since);
    if (options.until) params.set('until', options.until);
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    const query = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/v1/customers/${enc(customerId)}/timeline${query}`);
  }

  /** The customer's in-app inbox, newest first (unread messages unless options.status says). */
  listInbox(customerId: string, options: InboxListQuery = {}): Promise<InboxList> {
    const params = new URLSearchParams();
    if (options.status) params.set('status', options.status);
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.cursor) params.set('cursor', options.cursor);
    const query = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/v1/customers/${enc(customerId)}/inbox${query}`);
  }

  getInboxUnreadCount(customerId: string): Promise<InboxUnreadCount> {
    return this.request('GET', `/v1/customers/${enc(customerId)}/inbox/unread-count`);
  }

  /** Idempotent; also records an in_app_read event for journeys waiting for the read. */
  markInboxMessageRead(customerId: string, messageId: string): Promise<InboxMessage> {
    return this.request(
      'POST',
      `/v1/customers/${enc(customerId)}/inbox/${enc(messageId)}/read`,
      {},
    );
  }

  /** Idempotent. */
  archiveInboxMessage(customerId: string, messageId: string): Promise<InboxMessage> {
    return this.request(
      'POST',
      `/v1/customers/${enc(customerId)}/inbox/${enc(messageId)}/archive`,
      {},
    );
  }

  /** Idempotent: an address already suppressed answers { created: false } with its first entry. */
  addSuppression(input: SuppressionInput): Promise<SuppressionCreated> {
    return this.request('POST', '/v1/suppressions', input);
  }

  listSuppressions(options: SuppressionListQuery = {}): Promise<SuppressionList> {
    const params = new URLSearchParams();
    if (options.channel) params.set('channel', options.channel);
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.cursor) params.set('cursor', options.cursor);
    const query = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/v1/suppressions${query}`);
  }

  /** Throws CairnApiError 404 when the address is not suppressed. */
  async removeSuppression(channel: Suppression['channel'], address: string): Promise<void> {
    await this.request('DELETE', `/v1/suppressions/${channel}/${enc(address)}`);
  }

  /**
   * Bounces and complaints from an email service provider, up to 500, all or nothing: hard
   * bounces and complaints suppress the address; repeating a report changes nothing.
   */
  reportBounces(events: BounceReportInput[]): Promise<BounceWebhookResult> {
    return this.request('POST', '/v1/webhooks/bounces', { events });
  }

  upsertTopic(id: string, topic: TopicInput): Promise<TopicUpsertResponse> {
    return this.request('PUT', `/v1/topics/${enc(id)}`, topic);
  }

  listTopics(): Promise<TopicList> {
    return this.request('GET', '/v1/topics');
  }

  setCustomerTopic(
    customerId: string,
    topicId: string,
    status: NonNullable<CustomerTopic['choice']>,
  ): Promise<CustomerTopic> {
    return this.request('PUT', `/v1/customers/${enc(customerId)}/topics/${enc(topicId)}`, {
      status,
    });
  }

  listCustomerTopics(customerId: string): Promise<CustomerTopicList> {
    return this.request('GET', `/v1/customers/${enc(customerId)}/topics`);
  }

  /** Conversions under one attribution model (last_touch by default), per journey/version/step/channel. */
  getConversions(query: ConversionQuery = {}): Promise<ConversionReport> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const suffix = params.size > 0 ? `?${params.toString()}` : '';
    return this.request('GET', `/v1/conversions${suffix}`);
  }

  // Sources synced on a schedule (src/sync).

  /** Adds a source and its Temporal Schedule; secrets are named by environment variable. */
  createSource(source: SourceCreate): Promise<SourceView> {
    return this.request('POST', '/v1/sources', source);
  }

  listSources(): Promise<{ sources: SourceView[] }> {
    return this.request('GET', '/v1/sources');
  }

  getSource(id: string): Promise<SourceView> {
    return this.request('GET', `/v1/sources/${enc(id)}`);
  }

  /** Replaces a source's configuration (its next version); the schedule follows, the cursor stays. */
  updateSource(id: string, source: Omit<SourceCreate, 'id'>): Promise<SourceView> {
    return this.request('PUT', `/v1/sources/${enc(id)}`, source);
  }

  /** Runs a source now through its schedule; waits up to waitMs (default 10 s) for the run. */
  runSource(id: string, options: { waitMs?: number } = {}): Promise<SyncRunStarted> {
    const suffix = options.waitMs !== undefined ? `?waitMs=${options.waitMs}` : '';
    return this.request('POST', `/v1/sources/${enc(id)}/runs${suffix}`);
  }

  /** A source's runs, newest first: counts, rejected rows by key and field, errors, cursors, lag. */
  listSourceRuns(id: string, options: { limit?: number } = {}): Promise<{ runs: SyncRunView[] }> {
    const suffix = options.limit !== undefined ? `?limit=${options.limit}` : '';
    return this.request('GET', `/v1/sources/${enc(id)}/runs${suffix}`);
  }

  // Scores: named, versioned definitions (built-in and published).

  /**
   * Publishes a score definition (without `version`) as the score's next version. A decaying
   * version is backfilled from event history before segments and profiles read it (`active`).
   */
  publishScore(definition: ScoreDefinitionInput): Promise<ScorePublished> {
    return this.request('POST', '/v1/scores', definition);
  }

  listScores(): Promise<ScoreList> {
    return this.request('GET', '/v1/scores');
  }

  /** A score with every version of its definition. */
  getScore(id: string): Promise<ScoreDetail> {
    return this.request('GET', `/v1/scores/${enc(id)}`);
  }

  /** Recomputes an RFM score for everyone now, through its schedule. */
  recomputeScore(id: string): Promise<ScoreRecompute> {
    return this.request('POST', `/v1/scores/${enc(id)}/recompute`, {});
  }

  // Bulk runs: starts and cancels in batches.

  /**
   * Up to 500 explicit starts of one journey; each item is answered in order with the single
   * start's outcome (started, already_running, blocked, refused with a reason).
   */
  startJourneyRuns(
    journeyId: string,
    items: StartRunBatchRequest['items'],
  ): Promise<StartRunBatchResult> {
    return this.request('POST', `/v1/journeys/${enc(journeyId)}/runs/batch`, { items });
  }

  /** Up to 500 runs by workflow id; each is answered cancel_requested, not_running, not_found … */
  cancelRuns(workflowIds: string[], reason?: string): Promise<CancelRunsResult> {
    return this.request('POST', '/v1/runs/cancel', { workflowIds, ...(reason ? { reason } : {}) });
  }

  /**
   * Every running run of a journey, page after page (POST /v1/runs/cancel with journeyId) until
   * the last; answers each run that was running when its page was read.
   */
  async cancelJourneyRuns(
    journeyId: string,
    options: { reason?: string; pageSize?: number } = {},
  ): Promise<CancelRunItemResult[]> {
    const items: CancelRunItemResult[] = [];
    let after: string | null = null;
    do {
      const page: CancelRunsResult = await this.request('POST', '/v1/runs/cancel', {
        journeyId,
        ...(after !== null ? { after } : {}),
        ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      });
      items.push(...page.items);
      after = page.next;
    } while (after !== null);
    return items;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.apiKey}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(this.baseUrl + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    throw toError(response.status, text, response.headers.get('x-request-id'));
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function toError(status: number, text: string, requestId: string | null): CairnApiError {
  const parsed = errorResponseSchema.safeParse(safeJson(text));
  const { code, message, issues } = parsed.success
    ? { ...parsed.data.error, issues: parsed.data.error.issues ?? ([] as ApiIssue[]) }
    : { code: `http_${status}`, message: `HTTP ${status}`, issues: [] as ApiIssue[] };
  if (status === 400) return new CairnValidationError(code, message, issues, requestId);
  return new CairnApiError(status, code, message, issues, requestId);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
