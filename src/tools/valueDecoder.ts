// How key/value bytes are shown: kafka-dump-log's StringDecoder is the default; hex/base64 keep
// binary payloads readable; json re-serializes valid JSON compactly (raw text otherwise); none hides them.

export type ValueDecoderName = 'string' | 'hex' | 'base64' | 'json' | 'none';
export const VALUE_DECODERS: readonly ValueDecoderName[] = ['string', 'hex', 'base64', 'json', 'none'];

export type ValueDecoder = (buf: Buffer, start: number, end: number) => string | undefined;

export function valueDecoder(name: string): ValueDecoder {
  switch (name) {
    case 'string':
      return (b, s, e) => b.toString('utf8', s, e);
    case 'hex':
      return (b, s, e) => b.toString('hex', s, e);
    case 'base64':
      return (b, s, e) => b.toString('base64', s, e);
    case 'json':
      return (b, s, e) => {
        const text = b.toString('utf8', s, e);
        try {
          return JSON.stringify(JSON.parse(text));
        } catch {
          return text;
        }
      };
    case 'none':
      return () => undefined;
    default:
      throw new RangeError(`Unknown decoder '${name}' (expected ${VALUE_DECODERS.join('|')})`);
  }
}
