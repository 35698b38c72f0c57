import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildNfo } from '../../src/sidecars/nfo.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });

function parsed(xml: string): Record<string, unknown> {
  assert.equal(XMLValidator.validate(xml), true, `not well-formed:\n${xml}`);
  return (parser.parse(xml) as { episodedetails: Record<string, unknown> }).episodedetails;
}

describe('buildNfo', () => {
  test('an episodedetails document with title, plot, aired, studio and the unique id', () => {
    const xml = buildNfo({
      title: 'Episode 1',
      description: 'What happens.',
      date: new Date('2024-03-09T23:30:00-05:00'),
      channel: 'news',
      externalId: 'abc123',
      uploader: 'Ann',
    });
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n<episodedetails>/);
    const nfo = parsed(xml);
    assert.equal(nfo.title, 'Episode 1');
    assert.equal(nfo.plot, 'What happens.');
    assert.equal(nfo.aired, '2024-03-10', 'the UTC day');
    assert.equal(nfo.premiered, '2024-03-10');
    assert.equal(nfo.studio, 'news');
    assert.equal(nfo.showtitle, 'news');
    assert.equal(nfo.director, 'Ann');
    assert.deepEqual(nfo.uniqueid, { '#text': 'abc123', '@_type': 'parker', '@_default': 'true' });
  });

  test('without a description or date there is no plot or aired element', () => {
    const nfo = parsed(buildNfo({ title: 't', channel: 'c', externalId: 'x' }));
    assert.equal('plot' in nfo, false);
    assert.equal('aired' in nfo, false);
    assert.equal(nfo.title, 't');
  });

  const hostile = [
    '</title><script>alert(1)</script>',
    'Tom & Jerry "quoted" \'single\' <b>bold</b>',
    ']]><!-- -->',
    '<!DOCTYPE x [<!ENTITY a "b">]>&a;',
    '&amp;&lt;&#x26;',
  ];
  for (const text of hostile) {
    test(`hostile text stays text: ${JSON.stringify(text)}`, () => {
      const nfo = parsed(buildNfo({ title: text, description: text, channel: text, externalId: text, uploader: text }));
      assert.equal(nfo.title, text);
      assert.equal(nfo.plot, text);
      assert.equal(nfo.studio, text);
      assert.equal((nfo.uniqueid as Record<string, string>)['#text'], text);
    });
  }

  test('characters XML cannot carry are dropped, so the document stays well-formed', () => {
    const nfo = parsed(buildNfo({ title: 'a\u0000b\u0007c\u001bd\ud800e\uffff', channel: 'c', externalId: 'x' }));
    assert.equal(nfo.title, 'abcde');
  });

  test('a title that looks like a number stays as written', () => {
    assert.equal(parsed(buildNfo({ title: '0123', channel: 'c', externalId: '007' })).title, '0123');
  });
});
