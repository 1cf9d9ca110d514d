import { countSegments, fitKeepingLink } from '../../src/channels/sms-segments';

const link = 'https://shop.test/t/s/AbC123';
const words = 'Your order is packed and will leave our warehouse today. '.repeat(12);

describe('fitKeepingLink: the segment budget without losing the last link', () => {
  it('shortens a GSM-7 text before its link with "...", so it stays GSM-7 and fits', () => {
    const text = `${words}Track it at ${link}`;
    expect(countSegments(text)).toMatchObject({ encoding: 'gsm7', segments: 5 });
    const fit = fitKeepingLink(text, 3, 'truncate');
    if (fit.refused) throw new Error('expected a shortened text');
    expect(fit.text.endsWith(`... ${link}`)).toBe(true);
    expect(fit.text).not.toContain('…');
    expect(fit.count).toMatchObject({ encoding: 'gsm7', segments: 3 });
    expect(countSegments(fit.text)).toEqual(fit.count);
    // Three GSM-7 segments hold 459 septets; the UCS-2 the "…" brought held 201.
    expect(fit.text.length).toBeGreaterThan(400);
    expect(fit.text.length).toBeLessThanOrEqual(459);
  });

  it('keeps "…" for a text that is UCS-2 anyway', () => {
    const text = `${'Ваш заказ упакован. '.repeat(12)}${link}`;
    const fit = fitKeepingLink(text, 2, 'truncate');
    if (fit.refused) throw new Error('expected a shortened text');
    expect(fit.text.endsWith(`… ${link}`)).toBe(true);
    expect(fit.count).toMatchObject({ encoding: 'ucs2', segments: 2 });
  });

  it('returns a text that fits, or whose cut keeps the link, as fitToSegments does', () => {
    expect(fitKeepingLink(`Track it at ${link}`, 1, 'truncate')).toMatchObject({
      text: `Track it at ${link}`,
      truncated: false,
    });
    expect(fitKeepingLink(`${link} ${words}`, 1, 'truncate')).toMatchObject({
      truncated: true,
      count: { encoding: 'gsm7', segments: 1 },
    });
  });

  it('refuses when the link alone does not fit, and under the refuse policy', () => {
    const long = `https://shop.test/${'a'.repeat(200)}`;
    expect(fitKeepingLink(`${words}${long}`, 1, 'truncate')).toMatchObject({ refused: true });
    expect(fitKeepingLink(`${words}${link}`, 1, 'refuse')).toMatchObject({ refused: true });
  });
});
