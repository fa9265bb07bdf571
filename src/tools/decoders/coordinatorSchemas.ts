// Coordinator record schemas: the group coordinator's `__consumer_offsets` records (classic groups,
// KIP-848 consumer groups, share groups, streams groups), the transaction coordinator's
// `__transaction_state` records, the consumer embedded protocol (subscription/assignment bytes in
// GroupMetadataValue), and the KRaft control records of `__cluster_metadata` logs and snapshots.
// Facts from Apache Kafka's group-coordinator/, transaction-coordinator/ and
// clients/src/main/resources/common/message/*.json (trunk, late 2024; ConsumerGroupMetadataValue,
// StreamsGroupMetadataValue and StreamsGroupTargetAssignmentResolvedTopicIds from later trunk).
//
// A coordinator record key is `int16 record type | key fields` (non-flexible strings/ints, so the
// key layout never depends on a version); the value is `int16 version | value fields`.

import { f, message, type FieldSchema, type MessageSchema } from './schema.js';

export interface CoordinatorRecordSchema {
  /** Record type id = the key's int16 prefix (Kafka: the key "version", later the apiKey). */
  readonly type: number;
  /** e.g. "OffsetCommit", "GroupMetadata", "ConsumerGroupMemberMetadata". */
  readonly name: string;
  readonly key: MessageSchema;
  readonly value: MessageSchema;
}

function keyOf(name: string, ...names: [string, string][]): MessageSchema {
  return message(`${name}Key`, '0+', 'none', names.map(([n, t]) => f(n, t, '0+')));
}

const groupKey = (name: string) => keyOf(name, ['GroupId', 'string']);
const memberKey = (name: string) => keyOf(name, ['GroupId', 'string'], ['MemberId', 'string']);

const topicPartitions = [f('TopicId', 'uuid', '0+'), f('Partitions', '[]int32', '0+')];

const topicMetadata = [
  f('TopicId', 'uuid', '0+'),
  f('TopicName', 'string', '0+'),
  f('NumPartitions', 'int32', '0+'),
  f('PartitionMetadata', '[]struct', '0+', {}, [f('Partition', 'int32', '0+'), f('Racks', '[]string', '0+')]),
];

const taskIds = [f('SubtopologyId', 'string', '0+'), f('Partitions', '[]int32', '0+')];

const offsetCommitKeyFields = [f('group', 'string', '0+'), f('topic', 'string', '0+'), f('partition', 'int32', '0+')];

export const OFFSET_COMMIT_VALUE = message('OffsetCommitValue', '0-4', '4+', [
  f('offset', 'int64', '0+'),
  f('leaderEpoch', 'int32', '3+', { default: -1 }),
  f('metadata', 'string', '0+'),
  f('commitTimestamp', 'int64', '0+'),
  f('expireTimestamp', 'int64', '1', { default: -1 }),
]);

export const GROUP_METADATA_VALUE = message('GroupMetadataValue', '0-4', '4+', [
  f('protocolType', 'string', '0+'),
  f('generation', 'int32', '0+'),
  f('protocol', 'string', '0+', { nullable: '0+' }),
  f('leader', 'string', '0+', { nullable: '0+' }),
  f('currentStateTimestamp', 'int64', '2+', { default: -1 }),
  f('members', '[]struct', '0+', {}, [
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
    f('clientId', 'string', '0+'),
    f('clientHost', 'string', '0+'),
    f('rebalanceTimeout', 'int32', '1+', { default: -1 }),
    f('sessionTimeout', 'int32', '0+'),
    f('subscription', 'bytes', '0+'),
    f('assignment', 'bytes', '0+'),
  ]),
]);

const streamsTopicInfo: FieldSchema[] = [
  f('Name', 'string', '0+'),
  f('Partitions', 'int32', '0+'),
  f('ReplicationFactor', 'int16', '0+'),
  f('TopicConfigs', '[]struct', '0+', {}, [f('key', 'string', '0+'), f('value', 'string', '0+')]),
];

const GROUP_RECORD_LIST: CoordinatorRecordSchema[] = [
  { type: 0, name: 'LegacyOffsetCommit', key: message('LegacyOffsetCommitKey', '0+', 'none', offsetCommitKeyFields), value: OFFSET_COMMIT_VALUE },
  { type: 1, name: 'OffsetCommit', key: message('OffsetCommitKey', '0+', 'none', offsetCommitKeyFields), value: OFFSET_COMMIT_VALUE },
  { type: 2, name: 'GroupMetadata', key: message('GroupMetadataKey', '0+', 'none', [f('group', 'string', '0+')]), value: GROUP_METADATA_VALUE },
  {
    type: 3, name: 'ConsumerGroupMetadata', key: groupKey('ConsumerGroupMetadata'),
    value: message('ConsumerGroupMetadataValue', '0', '0+', [
      f('Epoch', 'int32', '0+'),
      f('MetadataHash', 'int64', '0+', { default: 0, tagged: '0+', tag: 0 }),
      f('CreationTimeMs', 'int64', '0+', { default: -1, tagged: '0+', tag: 1 }),
    ]),
  },
  {
    type: 4, name: 'ConsumerGroupPartitionMetadata', key: groupKey('ConsumerGroupPartitionMetadata'),
    value: message('ConsumerGroupPartitionMetadataValue', '0', '0+', [f('Topics', '[]struct', '0+', {}, topicMetadata)]),
  },
  {
    type: 5, name: 'ConsumerGroupMemberMetadata', key: memberKey('ConsumerGroupMemberMetadata'),
    value: message('ConsumerGroupMemberMetadataValue', '0', '0+', [
      f('InstanceId', 'string', '0+', { nullable: '0+' }),
      f('RackId', 'string', '0+', { nullable: '0+' }),
      f('ClientId', 'string', '0+'),
      f('ClientHost', 'string', '0+'),
      f('SubscribedTopicNames', '[]string', '0+'),
      f('SubscribedTopicRegex', 'string', '0+', { nullable: '0+' }),
      f('RebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
      f('ServerAssignor', 'string', '0+', { nullable: '0+' }),
      f('ClassicMemberMetadata', 'struct', '0+', { nullable: '0+', default: null, tagged: '0+', tag: 0 }, [
        f('SessionTimeoutMs', 'int32', '0+'),
        f('SupportedProtocols', '[]struct', '0+', {}, [f('Name', 'string', '0+'), f('Metadata', 'bytes', '0+')]),
      ]),
    ]),
  },
  {
    type: 6, name: 'ConsumerGroupTargetAssignmentMetadata', key: groupKey('ConsumerGroupTargetAssignmentMetadata'),
    value: message('ConsumerGroupTargetAssignmentMetadataValue', '0', '0+', [f('AssignmentEpoch', 'int32', '0+')]),
  },
  {
    type: 7, name: 'ConsumerGroupTargetAssignmentMember', key: memberKey('ConsumerGroupTargetAssignmentMember'),
    value: message('ConsumerGroupTargetAssignmentMemberValue', '0', '0+', [f('TopicPartitions', '[]struct', '0+', {}, topicPartitions)]),
  },
  {
    type: 8, name: 'ConsumerGroupCurrentMemberAssignment', key: memberKey('ConsumerGroupCurrentMemberAssignment'),
    value: message('ConsumerGroupCurrentMemberAssignmentValue', '0', '0+', [
      f('MemberEpoch', 'int32', '0+'),
      f('PreviousMemberEpoch', 'int32', '0+'),
      f('State', 'int8', '0+'),
      f('AssignedPartitions', '[]struct', '0+', {}, topicPartitions),
      f('PartitionsPendingRevocation', '[]struct', '0+', {}, topicPartitions),
    ]),
  },
  {
    type: 9, name: 'ShareGroupPartitionMetadata', key: groupKey('ShareGroupPartitionMetadata'),
    value: message('ShareGroupPartitionMetadataValue', '0', '0+', [f('Topics', '[]struct', '0+', {}, topicMetadata)]),
  },
  {
    type: 10, name: 'ShareGroupMemberMetadata', key: memberKey('ShareGroupMemberMetadata'),
    value: message('ShareGroupMemberMetadataValue', '0', '0+', [
      f('RackId', 'string', '0+', { nullable: '0+' }),
      f('ClientId', 'string', '0+'),
      f('ClientHost', 'string', '0+'),
      f('SubscribedTopicNames', '[]string', '0+'),
    ]),
  },
  {
    type: 11, name: 'ShareGroupMetadata', key: groupKey('ShareGroupMetadata'),
    value: message('ShareGroupMetadataValue', '0', '0+', [f('Epoch', 'int32', '0+')]),
  },
  {
    type: 12, name: 'ShareGroupTargetAssignmentMetadata', key: groupKey('ShareGroupTargetAssignmentMetadata'),
    value: message('ShareGroupTargetAssignmentMetadataValue', '0', '0+', [f('AssignmentEpoch', 'int32', '0+')]),
  },
  {
    type: 13, name: 'ShareGroupTargetAssignmentMember', key: memberKey('ShareGroupTargetAssignmentMember'),
    value: message('ShareGroupTargetAssignmentMemberValue', '0', '0+', [f('TopicPartitions', '[]struct', '0+', {}, topicPartitions)]),
  },
  {
    type: 14, name: 'ShareGroupCurrentMemberAssignment', key: memberKey('ShareGroupCurrentMemberAssignment'),
    value: message('ShareGroupCurrentMemberAssignmentValue', '0', '0+', [
      f('MemberEpoch', 'int32', '0+'),
      f('PreviousMemberEpoch', 'int32', '0+'),
      f('State', 'int8', '0+'),
      f('AssignedPartitions', '[]struct', '0+', {}, topicPartitions),
    ]),
  },
  {
    type: 15, name: 'ShareGroupStatePartitionMetadata', key: groupKey('ShareGroupStatePartitionMetadata'),
    value: message('ShareGroupStatePartitionMetadataValue', '0', '0+', [
      f('InitializedTopics', '[]struct', '0+', {}, [f('TopicId', 'uuid', '0+'), f('TopicName', 'string', '0+'), f('Partitions', '[]int32', '0+')]),
      f('DeletingTopics', '[]struct', '0+', {}, [f('TopicId', 'uuid', '0+'), f('TopicName', 'string', '0+')]),
    ]),
  },
  {
    type: 16, name: 'ConsumerGroupRegularExpression', key: keyOf('ConsumerGroupRegularExpression', ['GroupId', 'string'], ['RegularExpression', 'string']),
    value: message('ConsumerGroupRegularExpressionValue', '0', '0+', [
      f('Topics', '[]string', '0+'),
      f('Version', 'int64', '0+'),
      f('Timestamp', 'int64', '0+'),
    ]),
  },
  {
    type: 17, name: 'StreamsGroupMetadata', key: groupKey('StreamsGroupMetadata'),
    value: message('StreamsGroupMetadataValue', '0', '0+', [
      f('Epoch', 'int32', '0+'),
      f('MetadataHash', 'int64', '0+'),
      f('ValidatedTopologyEpoch', 'int32', '0+', { default: -1, tagged: '0+', tag: 0 }),
      f('AssignmentConfigs', '[]struct', '0+', {}, [f('Key', 'string', '0+'), f('Value', 'string', '0+')]),
    ]),
  },
  {
    type: 18, name: 'StreamsGroupPartitionMetadata', key: groupKey('StreamsGroupPartitionMetadata'),
    value: message('StreamsGroupPartitionMetadataValue', '0', '0+', [f('Topics', '[]struct', '0+', {}, topicMetadata)]),
  },
  {
    type: 19, name: 'StreamsGroupMemberMetadata', key: memberKey('StreamsGroupMemberMetadata'),
    value: message('StreamsGroupMemberMetadataValue', '0', '0+', [
      f('InstanceId', 'string', '0+', { nullable: '0+' }),
      f('RackId', 'string', '0+', { nullable: '0+' }),
      f('ClientId', 'string', '0+'),
      f('ClientHost', 'string', '0+'),
      f('RebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
      f('TopologyEpoch', 'int32', '0+'),
      f('ProcessId', 'string', '0+'),
      f('UserEndpoint', 'struct', '0+', { nullable: '0+', default: null }, [f('Host', 'string', '0+'), f('Port', 'uint16', '0+')]),
      f('ClientTags', '[]struct', '0+', {}, [f('Key', 'string', '0+'), f('Value', 'string', '0+')]),
    ]),
  },
  {
    type: 20, name: 'StreamsGroupTargetAssignmentMetadata', key: groupKey('StreamsGroupTargetAssignmentMetadata'),
    value: message('StreamsGroupTargetAssignmentMetadataValue', '0', '0+', [f('AssignmentEpoch', 'int32', '0+')]),
  },
  {
    type: 21, name: 'StreamsGroupTargetAssignmentMember', key: memberKey('StreamsGroupTargetAssignmentMember'),
    value: message('StreamsGroupTargetAssignmentMemberValue', '0', '0+', [
      f('ActiveTasks', '[]struct', '0+', {}, taskIds),
      f('StandbyTasks', '[]struct', '0+', {}, taskIds),
      f('WarmupTasks', '[]struct', '0+', {}, taskIds),
    ]),
  },
  {
    type: 22, name: 'StreamsGroupCurrentMemberAssignment', key: memberKey('StreamsGroupCurrentMemberAssignment'),
    value: message('StreamsGroupCurrentMemberAssignmentValue', '0', '0+', [
      f('MemberEpoch', 'int32', '0+'),
      f('PreviousMemberEpoch', 'int32', '0+'),
      f('State', 'int8', '0+'),
      f('ActiveTasks', '[]struct', '0+', {}, taskIds),
      f('StandbyTasks', '[]struct', '0+', {}, taskIds),
      f('WarmupTasks', '[]struct', '0+', {}, taskIds),
      f('ActiveTasksPendingRevocation', '[]struct', '0+', {}, taskIds),
      f('StandbyTasksPendingRevocation', '[]struct', '0+', {}, taskIds),
      f('WarmupTasksPendingRevocation', '[]struct', '0+', {}, taskIds),
    ]),
  },
  {
    type: 23, name: 'StreamsGroupTopology', key: groupKey('StreamsGroupTopology'),
    value: message('StreamsGroupTopologyValue', '0', '0+', [
      f('Epoch', 'int32', '0+'),
      f('Subtopologies', '[]struct', '0+', {}, [
        f('SubtopologyId', 'string', '0+'),
        f('SourceTopics', '[]string', '0+'),
        f('SourceTopicRegex', '[]string', '0+'),
        f('StateChangelogTopics', '[]struct', '0+', {}, streamsTopicInfo),
        f('RepartitionSinkTopics', '[]string', '0+'),
        f('RepartitionSourceTopics', '[]struct', '0+', {}, streamsTopicInfo),
        f('CopartitionGroups', '[]struct', '0+', {}, [
          f('SourceTopics', '[]int16', '0+'),
          f('SourceTopicRegex', '[]int16', '0+'),
          f('RepartitionSourceTopics', '[]int16', '0+'),
        ]),
      ]),
    ]),
  },
  {
    type: 24, name: 'StreamsGroupTargetAssignmentResolvedTopicIds', key: groupKey('StreamsGroupTargetAssignmentResolvedTopicIds'),
    value: message('StreamsGroupTargetAssignmentResolvedTopicIdsValue', '0', '0+', [
      f('AssignmentEpoch', 'int32', '0+'),
      f('ResolvedTopicIdsBySubtopology', '[]struct', '0+', {}, [f('SubtopologyId', 'string', '0+'), f('TopicIds', '[]uuid', '0+')]),
    ]),
  },
];

/** `__consumer_offsets` record types by the key's int16 prefix. */
export const GROUP_RECORDS: ReadonlyMap<number, CoordinatorRecordSchema> = new Map(GROUP_RECORD_LIST.map((s) => [s.type, s]));

export const TRANSACTION_LOG_KEY = message('TransactionLogKey', '0', 'none', [f('TransactionalId', 'string', '0')]);

export const TRANSACTION_LOG_VALUE = message('TransactionLogValue', '0-1', '1+', [
  f('ProducerId', 'int64', '0+'),
  f('PreviousProducerId', 'int64', null, { tagged: '1+', tag: 0, default: -1 }),
  f('NextProducerId', 'int64', null, { tagged: '1+', tag: 1, default: -1 }),
  f('ProducerEpoch', 'int16', '0+'),
  f('TransactionTimeoutMs', 'int32', '0+'),
  f('TransactionStatus', 'int8', '0+'),
  f('TransactionPartitions', '[]struct', '0+', { nullable: '0+' }, [f('Topic', 'string', '0+'), f('PartitionIds', '[]int32', '0+')]),
  f('TransactionLastUpdateTimestampMs', 'int64', '0+'),
  f('TransactionStartTimestampMs', 'int64', '0+'),
  f('ClientTransactionVersion', 'int16', null, { tagged: '1+', tag: 2, default: 0 }),
]);

/** `__transaction_state` record types by the key's int16 prefix. */
export const TRANSACTION_RECORDS: ReadonlyMap<number, CoordinatorRecordSchema> = new Map([
  [0, { type: 0, name: 'TransactionLog', key: TRANSACTION_LOG_KEY, value: TRANSACTION_LOG_VALUE }],
]);

const consumerTopicPartition = (v: string) => [f('Topic', 'string', v), f('Partitions', '[]int32', v)];

/** The consumer embedded protocol (protocolType "consumer"): member subscription bytes. */
export const CONSUMER_PROTOCOL_SUBSCRIPTION = message('ConsumerProtocolSubscription', '0-3', 'none', [
  f('Topics', '[]string', '0+'),
  f('UserData', 'bytes', '0+', { nullable: '0+', default: null }),
  f('OwnedPartitions', '[]struct', '1+', {}, consumerTopicPartition('1+')),
  f('GenerationId', 'int32', '2+', { default: -1 }),
  f('RackId', 'string', '3+', { nullable: '3+', default: null }),
]);

/** The consumer embedded protocol: member assignment bytes. */
export const CONSUMER_PROTOCOL_ASSIGNMENT = message('ConsumerProtocolAssignment', '0-3', 'none', [
  f('AssignedPartitions', '[]struct', '0+', {}, consumerTopicPartition('0+')),
  f('UserData', 'bytes', '0+', { nullable: '0+', default: null }),
]);

export interface ControlRecordSchema {
  /** ControlRecordType id (the control record key's type). */
  readonly type: number;
  /** ControlRecordType name: LEADER_CHANGE, SNAPSHOT_HEADER, ... */
  readonly typeName: string;
  /** What kafka-dump-log prints before the JSON (" SnapshotHeader {...}"). */
  readonly label: string;
  readonly schema: MessageSchema;
}

const voter = [f('VoterId', 'int32', '0+'), f('VoterDirectoryId', 'uuid', '1+')];

/** KRaft control record values, by control type. Kafka reads each at schema version 0. */
export const CONTROL_RECORDS: ReadonlyMap<number, ControlRecordSchema> = new Map<number, ControlRecordSchema>([
  [2, {
    type: 2, typeName: 'LEADER_CHANGE', label: 'LeaderChange:',
    schema: message('LeaderChangeMessage', '0-1', '0+', [
      f('Version', 'int16', '0+'),
      f('LeaderId', 'int32', '0+'),
      f('Voters', '[]struct', '0+', {}, voter),
      f('GrantingVoters', '[]struct', '0+', {}, voter),
    ]),
  }],
  [3, {
    type: 3, typeName: 'SNAPSHOT_HEADER', label: 'SnapshotHeader',
    schema: message('SnapshotHeaderRecord', '0', '0+', [f('Version', 'int16', '0+'), f('LastContainedLogTimestamp', 'int64', '0+')]),
  }],
  [4, {
    type: 4, typeName: 'SNAPSHOT_FOOTER', label: 'SnapshotFooter',
    schema: message('SnapshotFooterRecord', '0', '0+', [f('Version', 'int16', '0+')]),
  }],
  [5, {
    type: 5, typeName: 'KRAFT_VERSION', label: 'KRaftVersion',
    schema: message('KRaftVersionRecord', '0', '0+', [f('Version', 'int16', '0+'), f('KRaftVersion', 'int16', '0+')]),
  }],
  [6, {
    type: 6, typeName: 'KRAFT_VOTERS', label: 'KRaftVoters',
    schema: message('VotersRecord', '0', '0+', [
      f('Version', 'int16', '0+'),
      f('Voters', '[]struct', '0+', {}, [
        f('VoterId', 'int32', '0+'),
        f('VoterDirectoryId', 'uuid', '0+'),
        f('Endpoints', '[]struct', '0+', {}, [f('Name', 'string', '0+'), f('Host', 'string', '0+'), f('Port', 'uint16', '0+')]),
        f('KRaftVersionFeature', 'struct', '0+', {}, [f('MinSupportedVersion', 'int16', '0+'), f('MaxSupportedVersion', 'int16', '0+')]),
      ]),
    ]),
  }],
]);
