import { rewriteEmailHtml, rewriteSmsText } from '../../src/tracking/rewrite-links';
import type { TrackingSigner } from '../../src/tracking/tracking-token';

const BASE = 'https://t.cairn.test';
/** A readable stand-in signer: tokens name what they sign. */
const sign: TrackingSigner = ({ kind, linkIndex }) =>
  kind === 'open' ? 'OPEN' : `${kind.toUpperCase()}${linkIndex}`;
const options = { baseUrl: `${BASE}/`, sign };
const PIXEL = `<img src="${BASE}/t/o/OPEN" width="1" height="1" alt="" style="display:none">`;

describe('rewriteEmailHtml', () => {
  it('rewrites http(s) links with either quote style and stores the unescaped URL', () => {
    const html =
      '<p><a href="https://shop.test/cart?id=9&amp;utm=mail">Cart</a> ' +
      "<A class='x' HREF='http://shop.test/a?b=1&#38;c=2'>A</A> " +
      '<a href=https://shop.test/plain>Plain</a></p>';
    const result = rewriteEmailHtml(html, options);
    expect(result.links).toEqual([
      { index: 0, url: 'https://shop.test/cart?id=9&utm=mail' },
      { index: 1, url: 'http://shop.test/a?b=1&c=2' },
      { index: 2, url: 'https://shop.test/plain' },
    ]);
    expect(result.html).toBe(
      `<p><a href="${BASE}/t/c/CLICK0">Cart</a> ` +
        `<A class='x' HREF="${BASE}/t/c/CLICK1">A</A> ` +
        `<a href="${BASE}/t/c/CLICK2">Plain</a></p>${PIXEL}`,
    );
  });

  it('leaves mailto, tel, anchors, relative links and Cairn’s own unsubscribe links alone', () => {
    const html =
      '<a href="mailto:help@shop.test">Mail</a><a href="tel:+4930123">Call</a>' +
      '<a href="#top">Top</a><a href="/relative">Rel</a><a name="anchor">Named</a>' +
      `<a href="${BASE}/u/abc.def">Unsubscribe</a><a href="${BASE}/u/abc.def/preferences">Prefs</a>` +
      `<a href="${BASE}/t/c/already">Tracked</a>`;
    const result = rewriteEmailHtml(html, options);
    expect(result.links).toEqual([]);
    expect(result.html).toBe(html + PIXEL);
  });

  it('keeps other attributes, and ignores href text inside another attribute’s value', () => {
    const html =
      '<a title="go href=https://evil.test >" data-href="https://x.test" href="https://shop.test/" target="_blank">Go</a>';
    const result = rewriteEmailHtml(html, options);
    expect(result.links).toEqual([{ index: 0, url: 'https://shop.test/' }]);
    expect(result.html).toBe(
      `<a title="go href=https://evil.test >" data-href="https://x.test" href="${BASE}/t/c/CLICK0" target="_blank">Go</a>${PIXEL}`,
    );
  });

  it('numbers every occurrence, repeated URLs included', () => {
    const html = '<a href="https://a.test">1</a><a href="https://a.test">2</a>';
    expect(rewriteEmailHtml(html, options).links).toEqual([
      { index: 0, url: 'https://a.test' },
      { index: 1, url: 'https://a.test' },
    ]);
  });

  it('puts the pixel before the last </body>', () => {
    const html = '<html><body><p>Hi</p></BODY></html>';
    expect(rewriteEmailHtml(html, options).html).toBe(
      `<html><body><p>Hi</p>${PIXEL}</BODY></html>`,
    );
  });

  it('refuses a base URL that is not absolute', () => {
    expect(() => rewriteEmailHtml('<p/>', { baseUrl: 't.cairn.test', sign })).toThrow(/baseUrl/);
  });
});

describe('rewriteSmsText', () => {
  it('shortens http(s) URLs, keeping sentence punctuation outside the link', () => {
    const result = rewriteSmsText(
      'Your cart: https://shop.test/cart?id=9&utm=sms. Or http://shop.test/x (today)!',
      options,
    );
    expect(result.text).toBe(
      `Your cart: ${BASE}/t/s/SMS_CLICK0. Or ${BASE}/t/s/SMS_CLICK1 (today)!`,
    );
    expect(result.links).toEqual([
      { index: 0, url: 'https://shop.test/cart?id=9&utm=sms' },
      { index: 1, url: 'http://shop.test/x' },
    ]);
  });

  it('leaves text without links, and Cairn’s unsubscribe links, as they are', () => {
    const text = `Reply STOP to opt out or visit ${BASE}/u/tok`;
    expect(rewriteSmsText(text, options)).toEqual({ text, links: [] });
  });
});
