// KRaft metadata record schemas (`__cluster_metadata` records and snapshots), by apiKey. Facts from
// Apache Kafka's metadata/src/main/resources/common/metadata/*.json (trunk, late 2024, plus
// ClearElrRecord); every record type is flexible from version 0.

import { f, message, type MessageSchema } from './schema.js';

const endpointFields = [
  f('Name', 'string', '0+'),
  f('Host', 'string', '0+'),
  f('Port', 'uint16', '0+'),
  f('SecurityProtocol', 'int16', '0+'),
];

const featureFields = [
  f('Name', 'string', '0+'),
  f('MinSupportedVersion', 'int16', '0+'),
  f('MaxSupportedVersion', 'int16', '0+'),
];

const nullTagged = (tag: number, tagged = '0+') => ({ nullable: tagged, tagged, tag, default: null });

export const METADATA_RECORDS: ReadonlyMap<number, MessageSchema> = new Map<number, MessageSchema>([
  [0, message('RegisterBrokerRecord', '0-3', '0+', [
    f('BrokerId', 'int32', '0+'),
    f('IsMigratingZkBroker', 'bool', '2+', { default: false }),
    f('IncarnationId', 'uuid', '0+'),
    f('BrokerEpoch', 'int64', '0+'),
    f('EndPoints', '[]struct', '0+', {}, endpointFields),
    f('Features', '[]struct', '0+', {}, featureFields),
    f('Rack', 'string', '0+', { nullable: '0+' }),
    f('Fenced', 'bool', '0+', { default: true }),
    f('InControlledShutdown', 'bool', '1+', { default: false }),
    f('LogDirs', '[]uuid', '3+', { tagged: '3+', tag: 0 }),
  ])],
  [1, message('UnregisterBrokerRecord', '0', '0+', [
    f('BrokerId', 'int32', '0+'),
    f('BrokerEpoch', 'int64', '0+'),
  ])],
  [2, message('TopicRecord', '0', '0+', [
    f('Name', 'string', '0+'),
    f('TopicId', 'uuid', '0+'),
  ])],
  [3, message('PartitionRecord', '0-2', '0+', [
    f('PartitionId', 'int32', '0+', { default: -1 }),
    f('TopicId', 'uuid', '0+'),
    f('Replicas', '[]int32', '0+'),
    f('Isr', '[]int32', '0+'),
    f('RemovingReplicas', '[]int32', '0+'),
    f('AddingReplicas', '[]int32', '0+'),
    f('Leader', 'int32', '0+', { default: -1 }),
    f('LeaderRecoveryState', 'int8', '0+', { default: 0, tagged: '0+', tag: 0 }),
    f('LeaderEpoch', 'int32', '0+', { default: -1 }),
    f('PartitionEpoch', 'int32', '0+', { default: -1 }),
    f('Directories', '[]uuid', '1+'),
    f('EligibleLeaderReplicas', '[]int32', '2+', nullTagged(1, '2+')),
    f('LastKnownElr', '[]int32', '2+', nullTagged(2, '2+')),
  ])],
  [4, message('ConfigRecord', '0', '0+', [
    f('ResourceType', 'int8', '0+'),
    f('ResourceName', 'string', '0+'),
    f('Name', 'string', '0+'),
    f('Value', 'string', '0+', { nullable: '0+' }),
  ])],
  [5, message('PartitionChangeRecord', '0-2', '0+', [
    f('PartitionId', 'int32', '0+', { default: -1 }),
    f('TopicId', 'uuid', '0+'),
    f('Isr', '[]int32', '0+', nullTagged(0)),
    f('Leader', 'int32', '0+', { default: -2, tagged: '0+', tag: 1 }),
    f('Replicas', '[]int32', '0+', nullTagged(2)),
    f('RemovingReplicas', '[]int32', '0+', nullTagged(3)),
    f('AddingReplicas', '[]int32', '0+', nullTagged(4)),
    f('LeaderRecoveryState', 'int8', '0+', { default: -1, tagged: '0+', tag: 5 }),
    f('Directories', '[]uuid', '1+', nullTagged(8, '1+')),
    f('EligibleLeaderReplicas', '[]int32', '2+', nullTagged(6, '2+')),
    f('LastKnownElr', '[]int32', '2+', nullTagged(7, '2+')),
  ])],
  [7, message('FenceBrokerRecord', '0', '0+', [
    f('Id', 'int32', '0+'),
    f('Epoch', 'int64', '0+'),
  ])],
  [8, message('UnfenceBrokerRecord', '0', '0+', [
    f('Id', 'int32', '0+'),
    f('Epoch', 'int64', '0+'),
  ])],
  [9, message('RemoveTopicRecord', '0', '0+', [
    f('TopicId', 'uuid', '0+'),
  ])],
  [10, message('DelegationTokenRecord', '0', '0+', [
    f('Owner', 'string', '0+'),
    f('Requester', 'string', '0+'),
    f('Renewers', '[]string', '0+'),
    f('IssueTimestamp', 'int64', '0+'),
    f('MaxTimestamp', 'int64', '0+'),
    f('ExpirationTimestamp', 'int64', '0+'),
    f('TokenId', 'string', '0+'),
  ])],
  [11, message('UserScramCredentialRecord', '0', '0+', [
    f('Name', 'string', '0+'),
    f('Mechanism', 'int8', '0+'),
    f('Salt', 'bytes', '0+'),
    f('StoredKey', 'bytes', '0+'),
    f('ServerKey', 'bytes', '0+'),
    f('Iterations', 'int32', '0+'),
  ])],
  [12, message('FeatureLevelRecord', '0', '0+', [
    f('Name', 'string', '0+'),
    f('FeatureLevel', 'int16', '0+'),
  ])],
  [14, message('ClientQuotaRecord', '0', '0+', [
    f('Entity', '[]struct', '0+', {}, [
      f('EntityType', 'string', '0+'),
      f('EntityName', 'string', '0+', { nullable: '0+' }),
    ]),
    f('Key', 'string', '0+'),
    f('Value', 'float64', '0+'),
    f('Remove', 'bool', '0+'),
  ])],
  [15, message('ProducerIdsRecord', '0', '0+', [
    f('BrokerId', 'int32', '0+'),
    f('BrokerEpoch', 'int64', '0+', { default: -1 }),
    f('NextProducerId', 'int64', '0+'),
  ])],
  [17, message('BrokerRegistrationChangeRecord', '0-2', '0+', [
    f('BrokerId', 'int32', '0+'),
    f('BrokerEpoch', 'int64', '0+'),
    f('Fenced', 'int8', '0+', { tagged: '0+', tag: 0 }),
    f('InControlledShutdown', 'int8', '1+', { tagged: '1+', tag: 1 }),
    f('LogDirs', '[]uuid', '2+', { tagged: '2+', tag: 2 }),
  ])],
  [18, message('AccessControlEntryRecord', '0', '0+', [
    f('Id', 'uuid', '0+'),
    f('ResourceType', 'int8', '0+'),
    f('ResourceName', 'string', '0+'),
    f('PatternType', 'int8', '0+'),
    f('Principal', 'string', '0+'),
    f('Host', 'string', '0+'),
    f('Operation', 'int8', '0+'),
    f('PermissionType', 'int8', '0+'),
  ])],
  [19, message('RemoveAccessControlEntryRecord', '0', '0+', [
    f('Id', 'uuid', '0+'),
  ])],
  [20, message('NoOpRecord', '0', '0+', [])],
  [21, message('ZkMigrationStateRecord', '0', '0+', [
    f('ZkMigrationState', 'int8', '0+'),
  ])],
  [22, message('RemoveUserScramCredentialRecord', '0', '0+', [
    f('Name', 'string', '0+'),
    f('Mechanism', 'int8', '0+'),
  ])],
  [23, message('BeginTransactionRecord', '0', '0+', [
    f('Name', 'string', '0+', { nullable: '0+', tagged: '0+', tag: 0, default: null }),
  ])],
  [24, message('EndTransactionRecord', '0', '0+', [])],
  [25, message('AbortTransactionRecord', '0', '0+', [
    f('Reason', 'string', '0+', { nullable: '0+', tagged: '0+', tag: 0, default: null }),
  ])],
  [26, message('RemoveDelegationTokenRecord', '0', '0+', [
    f('TokenId', 'string', '0+'),
  ])],
  [27, message('RegisterControllerRecord', '0', '0+', [
    f('ControllerId', 'int32', '0+'),
    f('IncarnationId', 'uuid', '0+'),
    f('ZkMigrationReady', 'bool', '0+'),
    f('EndPoints', '[]struct', '0+', {}, endpointFields),
    f('Features', '[]struct', '0+', {}, featureFields),
  ])],
  [28, message('ClearElrRecord', '0', '0+', [
    f('TopicName', 'string', '0+'),
  ])],
]);

/** Kafka's MetadataRecordType constant name, which is what kafka-dump-log prints: "TOPIC_RECORD". */
export function toSnakeUpper(name: string): string {
  // MessageGenerator.toSnakeCase: '_' before an upper-case letter that follows a non-upper-case one.
  let out = '';
  let prevUpper = true;
  for (const c of name) {
    const upper = c >= 'A' && c <= 'Z';
    if (upper && !prevUpper) out += '_';
    out += c.toUpperCase();
    prevUpper = upper;
  }
  return out;
}
