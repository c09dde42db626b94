import { declaredFileType } from '../../functions/endpoints/upload-file/declared-type';

const body = (boundary: string, ...parts: string[]) => Buffer.from(parts.map((p) => `--${boundary}\r\n${p}\r\n`).join(''), 'latin1');

describe('declaredFileType', () => {
  it('reads the Content-Type of the part named file, past the fields before it', () => {
    const start = body(
      'b1',
      'Content-Disposition: form-data; name="purpose"\r\n\r\ninvoice',
      // A field whose value looks like headers is a value, not a part.
      'Content-Disposition: form-data; name="metadata"\r\n\r\n{"x":"Content-Type: a/b"}',
      'content-disposition: form-data; filename="a.pdf"; name=file\r\nCONTENT-TYPE:  ;;; \r\n\r\n%PDF',
    );
    expect(declaredFileType(start, 'multipart/form-data; boundary=b1')).toBe(';;;');
    expect(declaredFileType(start, 'multipart/form-data; boundary="b1"')).toBe(';;;');
  });

  it('is undefined when the file part declared none, a part has no headers, or the headers are not there yet', () => {
    const none = body('b2', '\r\nheaderless', 'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF');
    expect(declaredFileType(none, 'multipart/form-data; boundary=b2')).toBeUndefined();
    const cut = Buffer.from('--b3\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: text/', 'latin1');
    expect(declaredFileType(cut, 'multipart/form-data; boundary=b3')).toBeUndefined();
    expect(declaredFileType(none, 'multipart/form-data')).toBeUndefined();
  });

  it('does not take a filename parameter for the name', () => {
    const start = body('b4', 'Content-Disposition: form-data; name="other"; filename="file"\r\nContent-Type: x\r\n\r\n1');
    expect(declaredFileType(start, 'multipart/form-data; boundary=b4')).toBeUndefined();
  });
});
