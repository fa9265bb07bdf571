// Payload decoders for Kafka's internal topics, selected by dump's --offsets-decoder,
// --transaction-log-decoder and --cluster-metadata-decoder.
import type { Record } from '../format/index.js';

export interface PayloadDecoder {
  /** Decoded key and value as JSON-able values (strings for Kafka's text forms). */
  record(r: Record): { key?: unknown; value?: unknown };
  /** KRaft control record bodies (LeaderChange, SnapshotHeader/Footer, KRaftVersion, Voters). */
  control?(type: number, value: Buffer): unknown;
}

const registry = new Map<string, () => PayloadDecoder>();

export function registerPayloadDecoder(name: string, make: () => PayloadDecoder): void {
  registry.set(name, make);
}

export function payloadDecoder(name: string): PayloadDecoder {
  const make = registry.get(name);
  if (!make) throw new RangeError(`Unknown payload decoder '${name}'`);
  return make();
}
