import { withUnsubscribeFooter } from '../../src/templates/unsubscribe-footer';

const links = {
  unsubscribe: 'https://cairn.example.com/u/tok_abc-123',
  preferences: 'https://cairn.example.com/u/tok_abc-123/preferences',
};
const email = { subject: 'News', html: '<p>News</p>', text: 'News' };

describe('the unsubscribe footer of marketing email', () => {
  it('adds both links to the HTML and the text part', () => {
    const out = withUnsubscribeFooter(email, links);
    expect(out.html).toContain(`<a href="${links.unsubscribe}">Unsubscribe</a>`);
    expect(out.html).toContain(`<a href="${links.preferences}">Email preferences</a>`);
    expect(out.text).toBe(
      `News\n\nUnsubscribe: ${links.unsubscribe}\nEmail preferences: ${links.preferences}\n`,
    );
    expect(out.subject).toBe('News');
  });

  it('goes inside the body when the HTML is a whole document', () => {
    const out = withUnsubscribeFooter(
      { ...email, html: '<html><body><p>News</p></BODY></html>' },
      links,
    );
    expect(out.html).toMatch(/Unsubscribe<\/a>.*<\/p>\n<\/BODY><\/html>$/s);
  });

  it('is left out when the template placed the link itself, escaped or not', () => {
    for (const html of [
      `<a href="${links.unsubscribe}">Stop</a>`,
      `<a href="${links.unsubscribe.replace(/=/g, '&#x3D;')}">Stop</a>`,
    ]) {
      expect(withUnsubscribeFooter({ ...email, html }, links).html).toBe(html);
    }
  });

  it('escapes the links it writes', () => {
    const out = withUnsubscribeFooter(email, { unsubscribe: 'https://x.test/u/a"b<c' });
    expect(out.html).toContain('href="https://x.test/u/a&quot;b&lt;c"');
    expect(out.html).not.toContain('Email preferences');
  });
});
