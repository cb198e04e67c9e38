package kinesis

import (
	"context"
)

type hashRangeOut struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type seqRangeOut struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardOut struct {
	ShardId               string       `json:"ShardId"`
	ParentShardId         *string      `json:"ParentShardId,omitempty"`
	AdjacentParentShardId *string      `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashRangeOut `json:"HashKeyRange"`
	SequenceNumberRange   seqRangeOut  `json:"SequenceNumberRange"`
}

func (m *streamMeta) shardOut(sh *shardMeta) shardOut {
	o := shardOut{
		ShardId:      shardID(sh.Index),
		HashKeyRange: hashRangeOut{sh.StartHash, sh.EndHash},
		SequenceNumberRange: seqRangeOut{
			StartingSequenceNumber: formatSeq(m.UID, sh.Index, 0),
		},
	}
	if sh.Parent != nil {
		p := shardID(*sh.Parent)
		o.ParentShardId = &p
	}
	if sh.Adjacent != nil {
		a := shardID(*sh.Adjacent)
		o.AdjacentParentShardId = &a
	}
	if sh.closed() {
		o.SequenceNumberRange.EndingSequenceNumber = formatSeq(m.UID, sh.Index, sh.EndCounter)
	}
	return o
}

// afterShard reports whether sh comes after the shard named by id, as
// ExclusiveStartShardId asks.
func afterShard(sh *shardMeta, id string) bool {
	if idx, ok := parseShardID(id); ok {
		return sh.Index > idx
	}
	return shardID(sh.Index) > id
}

func (s *Service) describeStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		Limit                 *int64
		ExclusiveStartShardId *string
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, func(v *validation) {
		v.rangeBetween(in.Limit, "limit", 1, 10000)
		v.lengthBetween(in.ExclusiveStartShardId, "exclusiveStartShardId", 1, 128)
		v.pattern(in.ExclusiveStartShardId, "exclusiveStartShardId", shardIDPattern, streamNameOK)
	})
	if err != nil {
		return nil, err
	}
	m, err := s.viewStream(ref)
	if err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	now := s.nowMs()
	desc := streamDescription{
		StreamName: m.Name, StreamARN: m.arn(), StreamStatus: m.status(now),
		StreamModeDetails: modeOut{m.Mode}, Shards: []shardOut{},
		RetentionPeriodHours: m.Retention, StreamCreationTimestamp: epochMs(m.CreatedMs),
		EnhancedMonitoring: shardLevelMonitoring, EncryptionType: "NONE",
	}
	for _, sh := range m.Shards {
		// A stream being created has no shards to show yet.
		if m.creating(now) {
			break
		}
		if m.expired(sh, now) || (in.ExclusiveStartShardId != nil && !afterShard(sh, *in.ExclusiveStartShardId)) {
			continue
		}
		if len(desc.Shards) == limit {
			desc.HasMoreShards = true
			break
		}
		desc.Shards = append(desc.Shards, m.shardOut(sh))
	}
	return struct {
		StreamDescription streamDescription `json:"StreamDescription"`
	}{desc}, nil
}

type streamDescription struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            string            `json:"StreamStatus"`
	StreamModeDetails       modeOut           `json:"StreamModeDetails"`
	Shards                  []shardOut        `json:"Shards"`
	HasMoreShards           bool              `json:"HasMoreShards"`
	RetentionPeriodHours    int               `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochMs           `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
	EncryptionType          string            `json:"EncryptionType"`
}

func (s *Service) describeStreamSummary(ctx context.Context, body []byte) (any, error) {
	var in struct{ streamIDInput }
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, nil)
	if err != nil {
		return nil, err
	}
	m, err := s.viewStream(ref)
	if err != nil {
		return nil, err
	}
	now := s.nowMs()
	open := m.openCount()
	if m.creating(now) {
		open = 0
	}
	type summary struct {
		StreamName              string            `json:"StreamName"`
		StreamARN               string            `json:"StreamARN"`
		StreamStatus            string            `json:"StreamStatus"`
		StreamModeDetails       modeOut           `json:"StreamModeDetails"`
		RetentionPeriodHours    int               `json:"RetentionPeriodHours"`
		StreamCreationTimestamp epochMs           `json:"StreamCreationTimestamp"`
		EnhancedMonitoring      []enhancedMetrics `json:"EnhancedMonitoring"`
		EncryptionType          string            `json:"EncryptionType"`
		OpenShardCount          int               `json:"OpenShardCount"`
		ConsumerCount           int               `json:"ConsumerCount"`
		MaxRecordSizeInKiB      int               `json:"MaxRecordSizeInKiB"`
	}
	return struct {
		StreamDescriptionSummary summary `json:"StreamDescriptionSummary"`
	}{summary{
		StreamName: m.Name, StreamARN: m.arn(), StreamStatus: m.status(now),
		StreamModeDetails: modeOut{m.Mode}, RetentionPeriodHours: m.Retention,
		StreamCreationTimestamp: epochMs(m.CreatedMs), EnhancedMonitoring: shardLevelMonitoring,
		EncryptionType: "NONE", OpenShardCount: open, MaxRecordSizeInKiB: m.MaxRecordKiB,
	}}, nil
}
