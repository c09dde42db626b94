import { redact } from '../../functions/http/redact';
import { traceIdOf } from '../../functions/http/trace';

describe('traceIdOf', () => {
  it('reads X-Cloud-Trace-Context', () => {
    expect(traceIdOf({ 'x-cloud-trace-context': '105445AA7843BC8BF206B12000100000/1;o=1' })).toBe('105445aa7843bc8bf206b12000100000');
  });
  it('reads traceparent', () => {
    expect(traceIdOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
  it('makes a new one for a missing, malformed or all-zero header', () => {
    for (const headers of [{}, { traceparent: 'nonsense' }, { 'x-cloud-trace-context': '0'.repeat(32) }]) {
      expect(traceIdOf(headers)).toMatch(/^[0-9a-f]{32}$/);
      expect(traceIdOf(headers)).not.toBe('0'.repeat(32));
    }
  });
});

describe('redact', () => {
  it('removes API keys and session ids', () => {
    const text = 'key ak_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKK at https://s/upload?uploadType=resumable&upload_id=SECRET123&x=1';
    const out = redact(text);
    expect(out).not.toContain('AAAABBBB');
    expect(out).not.toContain('SECRET123');
    expect(out).toContain('upload_id=[REDACTED]&x=1');
  });
});
