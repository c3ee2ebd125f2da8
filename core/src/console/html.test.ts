import { describe, expect, it } from 'vitest';
import { html, safeHref, trusted } from './html.ts';

describe('html', () => {
  it('escapes every interpolated string, so markup from an LMS payload stays text', () => {
    const name = `<script>alert(1)</script>" onmouseover="x' \``;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39; &#96;">&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39; &#96;</p>',
    );
  });

  it('inserts nested fragments and arrays as they are, and drops null, undefined and false', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe('<ul><li>a&amp;b</li><li>c</li></ul>0');
    expect(html`${trusted('<svg></svg>')}`.text).toBe('<svg></svg>');
  });
});

describe('safeHref', () => {
  it('keeps own paths and http(s) URLs and turns javascript: and protocol-relative links into #', () => {
    expect(safeHref('/events?type=x')).toBe('/events?type=x');
    expect(safeHref('https://hooks.zapier.com/a')).toBe('https://hooks.zapier.com/a');
    expect(safeHref('javascript:alert(1)')).toBe('#');
    expect(safeHref('//evil.example/x')).toBe('#');
    expect(safeHref('not a url')).toBe('#');
  });
});
