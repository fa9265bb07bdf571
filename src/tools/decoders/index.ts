// Payload decoders for kafka-dump-log's --cluster-metadata-decoder, --offsets-decoder and
// --transaction-log-decoder, plus KRaft control record values. Schema tables are TypeScript
// transcriptions of facts from Apache Kafka's message specs; no Kafka code or JSON is included.

export { decodeClusterMetadataRecord, metadataRecordName, metadataRecordType, METADATA_FRAME_VERSION } from './clusterMetadata.js';
export type { ClusterMetadataRecordJson, DecodedClusterMetadataRecord, UnknownMetadataRecordJson } from './clusterMetadata.js';
export { decodeOffsetsRecord, decodeCoordinatorRecord, formatCoordinatorRecord, DELETE } from './offsets.js';
export type { CoordinatorKeyJson, CoordinatorValueJson, DecodedCoordinatorRecord } from './offsets.js';
export { decodeTransactionLogRecord, scalaTopicPartitionOrder, TRANSACTION_STATES } from './transactionLog.js';
export type { DecodedTransactionLogRecord, TransactionLogText } from './transactionLog.js';
export { decodeControlRecordValue, formatControlRecord, controlRecordTypeName } from './controlRecords.js';
export type { DecodedControlRecord, UnknownControlRecord } from './controlRecords.js';
export { decodeMessage, decodeMessageAt, readMessage, toKafkaJson, uuidToString, uuidFromString, WireReader, ZERO_UUID } from './messageReader.js';
export type { FieldValue, Json, JsonObject, RawTaggedField, StructValue } from './messageReader.js';
export { writeMessage, WireWriter } from './messageWriter.js';
export { METADATA_RECORDS } from './metadataSchemas.js';
export {
  GROUP_RECORDS,
  TRANSACTION_RECORDS,
  CONTROL_RECORDS,
  CONSUMER_PROTOCOL_ASSIGNMENT,
  CONSUMER_PROTOCOL_SUBSCRIPTION,
} from './coordinatorSchemas.js';
export type { CoordinatorRecordSchema, ControlRecordSchema } from './coordinatorSchemas.js';
export type { FieldSchema, MessageSchema } from './schema.js';
