import { countSegments, fitToSegments, isGsm7 } from '../../src/channels/sms-segments';

const gsm = (n: number) => 'a'.repeat(n);
const ucs = (n: number) => 'ж'.repeat(n);

describe('countSegments', () => {
  it('counts an empty text as no segment', () => {
    expect(countSegments('')).toEqual({ encoding: 'gsm7', segments: 0, units: 0 });
  });

  it.each([
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('GSM-7: %i septets make %i segment(s)', (length, segments) => {
    expect(countSegments(gsm(length))).toEqual({ encoding: 'gsm7', segments, units: length });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('UCS-2: %i code units make %i segment(s)', (length, segments) => {
    expect(countSegments(ucs(length))).toEqual({ encoding: 'ucs2', segments, units: length });
  });

  it('knows the whole basic GSM-7 alphabet, including Greek capitals and accented letters', () => {
    const text = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà';
    expect(isGsm7(text)).toBe(true);
    expect(countSegments(text)).toMatchObject({ encoding: 'gsm7', units: text.length });
  });

  it('counts each extension character as two septets', () => {
    expect(countSegments('€')).toEqual({ encoding: 'gsm7', segments: 1, units: 2 });
    expect(countSegments('^{}\\[~]|€\f')).toMatchObject({ encoding: 'gsm7', units: 20 });
    expect(countSegments(gsm(158) + '€')).toEqual({ encoding: 'gsm7', segments: 1, units: 160 });
    expect(countSegments(gsm(159) + '€')).toEqual({ encoding: 'gsm7', segments: 2, units: 161 });
  });

  it('never splits an escape sequence across segments', () => {
    // 152 septets, then "€" (2) does not fit in the first 153-septet part and moves on.
    const text = gsm(152) + '€' + gsm(152);
    expect(countSegments(text)).toEqual({ encoding: 'gsm7', segments: 3, units: 306 });
    expect(countSegments(gsm(151) + '€' + gsm(153))).toMatchObject({ segments: 2, units: 306 });
  });

  it('falls back to UCS-2 for any character outside GSM-7', () => {
    expect(countSegments(gsm(100) + 'ç')).toEqual({ encoding: 'ucs2', segments: 2, units: 101 });
    expect(countSegments('“quoted”')).toMatchObject({ encoding: 'ucs2' });
    expect(countSegments('…')).toMatchObject({ encoding: 'ucs2' });
    expect(countSegments('`')).toMatchObject({ encoding: 'ucs2' });
  });

  it('counts UTF-16 code units, two for an emoji, and never splits a surrogate pair', () => {
    expect(countSegments('😀')).toEqual({ encoding: 'ucs2', segments: 1, units: 2 });
    expect(countSegments(ucs(69) + '😀')).toEqual({ encoding: 'ucs2', segments: 2, units: 71 });
    // 66 units, then the pair (2) would straddle the 67-unit boundary: it moves to part two.
    expect(countSegments(ucs(66) + '😀' + ucs(66))).toMatchObject({ segments: 3, units: 134 });
    expect(countSegments(ucs(65) + '😀' + ucs(67))).toMatchObject({ segments: 2, units: 134 });
  });
});

describe('fitToSegments', () => {
  it('returns a text that fits untouched, without an ellipsis', () => {
    const text = gsm(160);
    expect(fitToSegments(text, 1, 'truncate')).toEqual({
      text,
      truncated: false,
      count: { encoding: 'gsm7', segments: 1, units: 160 },
    });
    expect(fitToSegments('Hi…', 1, 'refuse')).toMatchObject({ text: 'Hi…', truncated: false });
  });

  it('refuses a text that is too long under the refuse policy', () => {
    expect(fitToSegments(gsm(161), 1, 'refuse')).toEqual({
      refused: true,
      count: { encoding: 'gsm7', segments: 2, units: 161 },
    });
  });

  it('truncates GSM-7 text with "..." so the encoding stays GSM-7', () => {
    const result = fitToSegments(gsm(200), 1, 'truncate');
    expect(result).toEqual({
      text: gsm(157) + '...',
      truncated: true,
      count: { encoding: 'gsm7', segments: 1, units: 160 },
    });
  });

  it('truncates UCS-2 text with a single "…"', () => {
    const result = fitToSegments(ucs(100), 1, 'truncate');
    expect(result).toEqual({
      text: ucs(69) + '…',
      truncated: true,
      count: { encoding: 'ucs2', segments: 1, units: 70 },
    });
  });

  it('fills every allowed segment when truncating to several', () => {
    const result = fitToSegments(gsm(1000), 3, 'truncate');
    expect(result).toMatchObject({ truncated: true, count: { segments: 3, units: 459 } });
    expect(!result.refused && result.text.endsWith('a...')).toBe(true);
  });

  it('drops the spaces before the ellipsis', () => {
    const text = gsm(155) + '     ' + gsm(10);
    expect(fitToSegments(text, 1, 'truncate')).toMatchObject({ text: gsm(155) + '...' });
  });

  it('never splits an extension character', () => {
    const text = gsm(156) + '€€€';
    const result = fitToSegments(text, 1, 'truncate');
    // 156 + "..." = 159 septets; "€" would need 2 more, so it is left out whole.
    expect(result).toMatchObject({ text: gsm(156) + '...', count: { units: 159 } });
  });

  it('never splits a surrogate pair or a combined emoji', () => {
    const family = '👨‍👩‍👧';
    // Cut by code points, "👨" and a joiner would still fit after 62 units; the family stays whole.
    const result = fitToSegments(ucs(62) + family + ucs(20), 1, 'truncate');
    expect(result).toMatchObject({ text: ucs(62) + '…', truncated: true });

    const pairs = fitToSegments('😀'.repeat(50), 1, 'truncate');
    expect(pairs).toMatchObject({ text: '😀'.repeat(34) + '…', count: { units: 69 } });
  });

  it('goes back to GSM-7 when the cut removes the only UCS-2 characters', () => {
    const text = gsm(158) + ' 😀 ' + gsm(10);
    const result = fitToSegments(text, 1, 'truncate');
    expect(result).toMatchObject({
      text: gsm(157) + '...',
      truncated: true,
      count: { encoding: 'gsm7', segments: 1 },
    });
  });

  it('refuses a maximum below one segment', () => {
    expect(() => fitToSegments('hi', 0, 'truncate')).toThrow('maxSegments');
    expect(() => fitToSegments('hi', 1.5, 'truncate')).toThrow('maxSegments');
  });
});
