import { randomBytes } from 'node:crypto';
import { contentMismatch } from '../../functions/domain/content-sniff';
import { EXECUTABLE_SAMPLES } from '../support/executable-samples';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PDF = Buffer.from('%PDF-1.7\n');
const ZIP = Buffer.from('504b0304140000000800', 'hex');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(20)]);
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
// Random bytes that happen to begin like nothing in particular.
const RANDOM = Buffer.concat([Buffer.from([0x13, 0x37]), randomBytes(4000)]);

describe('contentMismatch', () => {
  it.each(Object.entries(EXECUTABLE_SAMPLES))('refuses a %s executable whatever is declared', (_name, sample) => {
    for (const declared of ['video/mp4', 'application/octet-stream', 'text/plain', 'application/x-unknown', 'application/zip']) {
      expect(contentMismatch(declared, sample.bytes, true)).toBe(sample.type);
    }
  });

  it.each([
    ['a PNG declared as a PDF', 'application/pdf', PNG, 'image/png'],
    ['a PDF declared as a PNG', 'image/png', PDF, 'application/pdf'],
    ['a PNG declared as a JPEG', 'image/jpeg', PNG, 'image/png'],
    ['a ZIP declared as a PDF', 'application/pdf', ZIP, 'application/zip'],
    ['an MP4 declared as an image', 'image/png', MP4, 'video/mp4'],
    ['random bytes declared as an MP4', 'video/mp4', RANDOM, 'application/octet-stream'],
    ['random bytes declared as a PDF', 'application/pdf', RANDOM, 'application/octet-stream'],
    [
      'random bytes declared as a DOCX',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      RANDOM,
      'application/octet-stream',
    ],
    ['an empty file declared as an MP4', 'video/mp4', Buffer.alloc(0), 'application/octet-stream'],
    ['a PNG declared as text', 'text/csv', PNG, 'image/png'],
    ['invalid UTF-8 declared as text', 'text/plain', Buffer.from([0x61, 0xc3, 0x28, 0x62]), 'application/octet-stream'],
    ['NUL bytes declared as JSON', 'application/json', Buffer.from('{"a":\u0000}'), 'application/octet-stream'],
    ['an undetectable type contradicted by a PNG', 'application/x-custom', PNG, 'image/png'],
  ])('refuses %s', (_name, declared, head, actual) => {
    expect(contentMismatch(declared, head, true)).toBe(actual);
  });

  it.each([
    ['a PNG declared as a PNG', 'image/png', PNG],
    ['a JPEG', 'image/jpeg', JPEG],
    ['a GIF', 'image/gif', GIF],
    ['a WebP', 'image/webp', WEBP],
    ['a PDF declared with parameters', 'application/pdf; version=1.7', PDF],
    ['a PDF behind a few bytes of junk', 'application/pdf', Buffer.concat([Buffer.from('\r\n'), PDF])],
    ['a DOCX, which is a ZIP', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ZIP],
    ['an EPUB, a +zip type', 'application/epub+zip', ZIP],
    ['an MP4', 'video/mp4', MP4],
    ['an MP4 declared as QuickTime', 'video/quicktime', MP4],
    ['anything but an executable declared as octet-stream', 'application/octet-stream', RANDOM],
    ['UTF-8 text', 'text/plain', Buffer.from('héllo, 漢字 😀\n\tend\r\n')],
    ['UTF-8 text cut inside a character at the end of the head', 'text/plain', Buffer.from('ab漢').subarray(0, 4), false],
    ['UTF-16 text behind its byte-order mark', 'text/plain', Buffer.from('\ufeffhello', 'utf16le')],
    ['Latin-1 text with its charset', 'text/csv; charset=ISO-8859-1', Buffer.from('caf\xe9,1\n', 'latin1')],
    ['JSON', 'application/json', Buffer.from('{"a": 1}')],
    ['a script, which is text', 'text/x-shellscript', Buffer.from('#!/bin/sh\necho hi\n')],
    ['undetectable bytes of a type without a signature', 'application/x-custom', Buffer.from('just some words')],
  ])('lets pass %s', (_name, declared, head, whole = true) => {
    expect(contentMismatch(declared, head, whole)).toBeUndefined();
  });

  it('does not forgive a cut character when the head is the whole file', () => {
    expect(contentMismatch('text/plain', Buffer.from('ab漢').subarray(0, 4), true)).toBe('application/octet-stream');
  });
});
