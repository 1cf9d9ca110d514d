export interface EngagementRequest {
  kind: 'open' | 'click';
  /** The HTTP method of the pixel or redirect request. */
  method: string;
  userAgent: string | undefined;
  /** When the message was handed to the provider; unknown (null) disables the timing rules. */
  sentAt: Date | null;
  now: Date;
}

export interface EngagementFlags {
  /** An open a machine made (privacy proxy prefetch), not the customer reading the message. */
  machineOpen?: boolean;
  /** A request from a crawler, link scanner or link preview, not a person. */
  bot?: boolean;
}

/**
 * Opens sooner than this after the send are a proxy prefetching the message on delivery (Apple
 * Mail Privacy Protection loads every image when the mail arrives; people take longer to open).
 */
export const MACHINE_OPEN_WINDOW_MS = 5_000;
/** Clicks sooner than this after the send are a security scanner following every link. */
export const BOT_CLICK_WINDOW_MS = 2_000;

/**
 * Image proxies that fetch on the recipient's behalf. Apple's MPP sends a bare "Mozilla/5.0";
 * Gmail and Yahoo name their proxies.
 */
const PROXY_AGENTS = /GoogleImageProxy|ggpht\.com|YahooMailProxy|Yahoo! Slurp|OutlookImageProxy/i;
const BARE_MOZILLA = /^Mozilla\/5\.0$/;
/**
 * Crawlers, link-preview fetchers, mail security scanners and HTTP libraries: nobody reads mail
 * with curl.
 */
const BOT_AGENTS =
  /bot\b|bot\/|crawler|spider|preview|slackbot|facebookexternalhit|whatsapp|telegram|discord|linkexpander|embedly|skypeuripreview|headless|phantomjs|python-|curl\/|wget\/|go-http-client|java\/|okhttp|libwww|httpclient|axios|node-fetch|barracuda|mimecast|proofpoint|safelinks|symantec|trendmicro|forcepoint/i;

/**
 * Classifies one open or click request. Heuristics, in order of confidence:
 * - a HEAD request reads headers only: a scanner checking the link, never a person (bot; for the
 *   pixel also a machine open);
 * - no user agent, or one naming a crawler, scanner, preview fetcher or HTTP library: bot;
 * - opens only: the bare "Mozilla/5.0" of Apple Mail Privacy Protection or a named image proxy
 *   (GoogleImageProxy, YahooMailProxy): machine open;
 * - timing: an open within MACHINE_OPEN_WINDOW_MS of the send is a machine open, a click within
 *   BOT_CLICK_WINDOW_MS a bot.
 * Flags describe; whether flagged engagement counts is the caller's configuration.
 */
export function classifyEngagement(request: EngagementRequest): EngagementFlags {
  const agent = (request.userAgent ?? '').trim();
  const head = request.method.toUpperCase() === 'HEAD';
  const bot = head || agent === '' || BOT_AGENTS.test(agent);
  const elapsed = request.sentAt ? request.now.getTime() - request.sentAt.getTime() : null;
  if (request.kind === 'open') {
    const proxy = BARE_MOZILLA.test(agent) || PROXY_AGENTS.test(agent);
    const early = elapsed !== null && elapsed < MACHINE_OPEN_WINDOW_MS;
    return flags({ machineOpen: bot || proxy || early, bot });
  }
  const early = elapsed !== null && elapsed < BOT_CLICK_WINDOW_MS;
  return flags({ bot: bot || early });
}

/** True when the flags mark engagement no person made. */
export function isMachineEngagement(flags: EngagementFlags): boolean {
  return flags.machineOpen === true || flags.bot === true;
}

function flags(all: { machineOpen?: boolean; bot: boolean }): EngagementFlags {
  return {
    ...(all.machineOpen ? { machineOpen: true } : {}),
    ...(all.bot ? { bot: true } : {}),
  };
}
