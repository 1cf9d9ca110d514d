import {
  adaptPushContent,
  DEFAULT_PUSH_LIMITS,
  graphemeLength,
  truncateText,
} from '../../src/channels/push-content';

describe('push content adaptation', () => {
  it('leaves text within the limits untouched, ellipsis-free', () => {
    const content = { title: 'Your cart', body: '  Still there.  ', deepLink: 'shop://cart/1' };
    expect(adaptPushContent(content)).toEqual({ ...content, cut: { title: false, body: false } });
    const exact = 'x'.repeat(65);
    expect(truncateText(exact, 65)).toEqual({ text: exact, cut: false });
  });

  it('cuts the title at 65 and the body at 240 by default, at a word boundary with …', () => {
    const title = 'Your favourite lamp is back in stock and waiting for you right now today';
    const body = `${'Lorem ipsum dolor sit amet '.repeat(12)}end`;
    const adapted = adaptPushContent({ title, body, deepLink: 'https://shop.test/cart/9' });

    expect(adapted.title).toBe('Your favourite lamp is back in stock and waiting for you right…');
    expect(graphemeLength(adapted.title)).toBeLessThanOrEqual(DEFAULT_PUSH_LIMITS.titleMax);
    expect(graphemeLength(adapted.body)).toBeLessThanOrEqual(DEFAULT_PUSH_LIMITS.bodyMax);
    expect(adapted.body).toBe(`${'Lorem ipsum dolor sit amet '.repeat(8)}Lorem ipsum dolor sit…`);
    expect(adapted.cut).toEqual({ title: true, body: true });
    expect(adapted.deepLink).toBe('https://shop.test/cart/9');
  });

  it('honours configured limits', () => {
    const adapted = adaptPushContent(
      { title: 'Flash sale on lamps', body: 'Twenty percent off every lamp' },
      { titleMax: 12, bodyMax: 20 },
    );
    expect(adapted.title).toBe('Flash sale…');
    expect(adapted.body).toBe('Twenty percent off…');
  });

  it('cuts mid-word when the last word boundary is too far back', () => {
    expect(truncateText('Hi supercalifragilisticexpialidocious', 20)).toEqual({
      text: 'Hi supercalifragili…',
      cut: true,
    });
  });

  it('never splits a surrogate pair, a flag or a family emoji', () => {
    const family = '👨‍👩‍👧';
    const text = `${family}${family}🇫🇷🇫🇷🇫🇷`;
    const cut = truncateText(text, 4);
    expect(cut).toEqual({ text: `${family}${family}🇫🇷…`, cut: true });
    expect(cut.text).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
    expect(truncateText('😀😀😀', 2).text).toBe('😀…');
  });

  it('refuses limits that leave no room for text', () => {
    expect(() =>
      adaptPushContent({ title: 'a', body: 'b' }, { titleMax: 1, bodyMax: 240 }),
    ).toThrow(/titleMax/);
  });
});
