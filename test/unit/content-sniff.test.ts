import { contradictingType } from '../../functions/domain/content-sniff';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PDF = Buffer.from('%PDF-1.7\n');
const ZIP = Buffer.from('504b0304140000000800', 'hex');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(20)]);

describe('contradictingType', () => {
  it.each([
    ['a PNG declared as a PDF', 'application/pdf', PNG, 'image/png'],
    ['a PDF declared as a PNG', 'image/png', PDF, 'application/pdf'],
    ['a PNG declared as a JPEG', 'image/jpeg', PNG, 'image/png'],
    ['a ZIP declared as a PDF', 'application/pdf', ZIP, 'application/zip'],
    ['an MP4 declared as an image', 'image/png', MP4, 'video/mp4'],
  ])('catches %s', (_name, declared, head, detected) => {
    expect(contradictingType(declared, head)).toBe(detected);
  });

  it.each([
    ['a PNG declared as a PNG', 'image/png', PNG],
    ['a PDF declared with parameters', 'application/pdf; version=1.7', PDF],
    ['a DOCX, which is a ZIP', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ZIP],
    ['an EPUB, a +zip type', 'application/epub+zip', ZIP],
    ['an MP4 declared as QuickTime', 'video/quicktime', MP4],
    ['anything declared as octet-stream', 'application/octet-stream', PNG],
    ['text, which claims nothing', 'text/csv', PNG],
    ['undetectable bytes', 'application/pdf', Buffer.from('just some words')],
    ['nothing at all', 'video/mp4', Buffer.alloc(0)],
  ])('lets pass %s', (_name, declared, head) => {
    expect(contradictingType(declared, head)).toBeUndefined();
  });
});
