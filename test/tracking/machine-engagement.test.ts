import {
  classifyEngagement,
  isMachineEngagement,
  type EngagementRequest,
} from '../../src/tracking/machine-engagement';

const SENT = new Date('2025-03-01T10:00:00Z');
const later = (ms: number) => new Date(SENT.getTime() + ms);
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

const request = (overrides: Partial<EngagementRequest>): EngagementRequest => ({
  kind: 'open',
  method: 'GET',
  userAgent: SAFARI,
  sentAt: SENT,
  now: later(60_000),
  ...overrides,
});

describe('machine opens', () => {
  it('counts a browser open a minute after the send as a person', () => {
    expect(classifyEngagement(request({}))).toEqual({});
  });

  it.each([
    ['Apple Mail Privacy Protection (bare Mozilla/5.0)', 'Mozilla/5.0'],
    [
      'Gmail image proxy',
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
    ],
    [
      'Yahoo mail proxy',
      'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
    ],
  ])('flags %s', (_name, userAgent) => {
    expect(classifyEngagement(request({ userAgent }))).toEqual({ machineOpen: true });
  });

  it('flags an open within five seconds of the send, not one after', () => {
    expect(classifyEngagement(request({ now: later(4_000) }))).toEqual({ machineOpen: true });
    expect(classifyEngagement(request({ now: later(6_000) }))).toEqual({});
  });

  it('flags a pixel fetched by a crawler or without a user agent as machine and bot', () => {
    expect(classifyEngagement(request({ userAgent: undefined }))).toEqual({
      machineOpen: true,
      bot: true,
    });
    expect(classifyEngagement(request({ userAgent: 'Googlebot/2.1' }))).toEqual({
      machineOpen: true,
      bot: true,
    });
  });

  it('ignores timing when the send time is unknown', () => {
    expect(classifyEngagement(request({ sentAt: null, now: SENT }))).toEqual({});
  });
});

describe('bot clicks', () => {
  const click = (overrides: Partial<EngagementRequest>) =>
    classifyEngagement(request({ kind: 'click', ...overrides }));

  it('counts a browser click as a person, even with the bare Mozilla agent of a proxy', () => {
    expect(click({})).toEqual({});
    expect(click({ userAgent: 'Mozilla/5.0' })).toEqual({});
  });

  it('flags HEAD requests', () => {
    expect(click({ method: 'HEAD' })).toEqual({ bot: true });
  });

  it.each([
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; SomeCrawler/1.0)',
    'Mozilla/5.0 Spider',
    'WhatsApp/2.23.20',
    'Microsoft Office Link Preview',
    'python-requests/2.31',
    'curl/8.4.0',
    '',
  ])('flags the agent %p', (userAgent) => {
    expect(click({ userAgent })).toEqual({ bot: true });
  });

  it('flags a click within two seconds of the send, not one after', () => {
    expect(click({ now: later(1_500) })).toEqual({ bot: true });
    expect(click({ now: later(2_500) })).toEqual({});
  });

  it('isMachineEngagement is true for either flag', () => {
    expect(isMachineEngagement({})).toBe(false);
    expect(isMachineEngagement({ bot: true })).toBe(true);
    expect(isMachineEngagement({ machineOpen: true })).toBe(true);
  });
});
