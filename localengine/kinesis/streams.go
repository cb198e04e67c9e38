package kinesis

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/wire"
)

const (
	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"

	// onDemandShards is how many shards an on-demand stream starts with.
	onDemandShards = 4

	defaultRetentionHours = 24
	minRetentionHours     = 24
	maxRetentionHours     = 8760
)

type modeDetails struct {
	StreamMode *string `json:"StreamMode"`
}

type modeOut struct {
	StreamMode string `json:"StreamMode"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

// shardLevelMonitoring is how the engine describes every stream's
// enhanced monitoring: the shard-level metrics it publishes (see
// recordShardPuts and recordGet), as AWS lists those enabled with
// EnableEnhancedMonitoring.
var shardLevelMonitoring = []enhancedMetrics{{ShardLevelMetrics: []string{
	"IncomingBytes", "IncomingRecords", "IteratorAgeMilliseconds", "OutgoingBytes", "OutgoingRecords",
}}}

func (s *Service) createStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		StreamName                 *string
		ShardCount                 *int64
		StreamModeDetails          *modeDetails
		Tags                       map[string]*string
		MaxRecordSizeInKiB         *int64
		WarmThroughputMiBps        *int64
		RecordDistributionStrategy *string
	}
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	v.required(in.StreamName != nil, "streamName")
	v.lengthBetween(in.StreamName, "streamName", 1, 128)
	v.pattern(in.StreamName, "streamName", streamNamePattern, streamNameOK)
	v.rangeBetween(in.ShardCount, "shardCount", 1, 100000)
	var mode *string
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
		v.required(mode != nil, "streamModeDetails.streamMode")
		v.enum(mode, "streamModeDetails.streamMode", modeProvisioned, modeOnDemand)
	}
	v.rangeBetween(in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", 1024, 10240)
	v.rangeBetween(in.WarmThroughputMiBps, "warmThroughputMiBps", 0, 1<<31-1)
	checkTagMap(&v, in.Tags, "tags")
	if err := v.err(); err != nil {
		return nil, err
	}
	name := *in.StreamName
	streamMode := modeProvisioned
	switch {
	case mode != nil && *mode == modeOnDemand:
		if in.ShardCount != nil {
			return nil, invalidArgument("ShardCount cannot be specified for a stream in %s capacity mode.", modeOnDemand)
		}
		streamMode = modeOnDemand
	case mode != nil:
		if in.ShardCount == nil {
			return nil, invalidArgument("ShardCount is required for a stream in %s capacity mode.", modeProvisioned)
		}
	case in.ShardCount == nil:
		// Without a shard count or a mode, AWS makes an on-demand stream.
		streamMode = modeOnDemand
	}
	count := onDemandShards
	if in.ShardCount != nil {
		count = int(*in.ShardCount)
	}
	tags := map[string]string{}
	for k, val := range in.Tags {
		tags[k] = derefString(val)
	}
	if err := checkTagChars(tags); err != nil {
		return nil, err
	}
	if len(tags) > maxTags {
		return nil, tooManyTags(name)
	}
	maxKiB := 1024
	if in.MaxRecordSizeInKiB != nil {
		maxKiB = int(*in.MaxRecordSizeInKiB)
	}
	region := wire.Region(ctx)
	var created *streamMeta
	err := s.store.Update(func(tx *bolt.Tx) error {
		streams := sub(tx, bucketStreams)
		key := streamKey(region, name)
		if streams.Get(key) != nil {
			return streamExists(name)
		}
		// The quota is checked before the shards' ranges are built, so
		// that a refused request costs no more than a count.
		if err := s.checkQuota(tx, region, count); err != nil {
			return err
		}
		uid, err := streams.NextSequence()
		if err != nil {
			return err
		}
		now := s.nowMs()
		m := &streamMeta{
			Name: name, Region: region, UID: uid, CreatedMs: now, Mode: streamMode,
			Retention: defaultRetentionHours, MaxRecordKiB: maxKiB,
		}
		if len(tags) > 0 {
			m.Tags = tags
		}
		if s.cfg.StateDelay > 0 {
			m.Pending, m.PendingUntil = statusCreating, now+s.cfg.StateDelay.Milliseconds()
		}
		for _, r := range uniformRanges(count) {
			m.addShard(r[0], r[1], now, nil, nil)
		}
		created = m
		return m.put(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("create stream %s: %w", name, err)
	}
	s.remember(created)
	return struct{}{}, nil
}

func derefString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Service) deleteStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		streamIDInput
		EnforceConsumerDeletion *bool
	}
	ref, err := decodeStreamInput(ctx, body, &in, &in.streamIDInput, nil)
	if err != nil {
		return nil, err
	}
	var uid uint64
	err = s.store.Update(func(tx *bolt.Tx) error {
		m, err := s.loadStream(tx, ref.region, ref.name, false)
		if err != nil {
			return err
		}
		if m == nil {
			return streamNotFound(ref.name)
		}
		uid = m.UID
		if err := sub(tx, bucketStreams).Delete(streamKey(ref.region, ref.name)); err != nil {
			return err
		}
		// The records go in the background, in bounded transactions.
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], m.UID)
		return sub(tx, bucketDead).Put(k[:], []byte{})
	})
	if err != nil {
		return nil, fmt.Errorf("delete stream %s: %w", ref.name, err)
	}
	s.forget(ref.region, ref.name)
	if s.limits != nil {
		s.limits.forgetStream(uid)
	}
	s.kickTrimmer()
	return struct{}{}, nil
}

// decodeStreamInput decodes a request that names a stream, checks its
// constraints (plus any extra ones) and resolves the stream.
func decodeStreamInput(ctx context.Context, body []byte, in any, id *streamIDInput, extra func(v *validation)) (streamRef, error) {
	if err := wire.DecodeJSON(body, in); err != nil {
		return streamRef{}, err
	}
	var v validation
	id.check(&v)
	if extra != nil {
		extra(&v)
	}
	if err := v.err(); err != nil {
		return streamRef{}, err
	}
	return id.resolve(ctx)
}

type streamSummary struct {
	StreamName              string  `json:"StreamName"`
	StreamARN               string  `json:"StreamARN"`
	StreamStatus            string  `json:"StreamStatus"`
	StreamModeDetails       modeOut `json:"StreamModeDetails"`
	StreamCreationTimestamp epochMs `json:"StreamCreationTimestamp"`
}

func (s *Service) listStreams(ctx context.Context, body []byte) (any, error) {
	var in struct {
		Limit                    *int64
		ExclusiveStartStreamName *string
		NextToken                *string
	}
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	v.rangeBetween(in.Limit, "limit", 1, 10000)
	v.lengthBetween(in.ExclusiveStartStreamName, "exclusiveStartStreamName", 1, 128)
	v.pattern(in.ExclusiveStartStreamName, "exclusiveStartStreamName", streamNamePattern, streamNameOK)
	v.lengthBetween(in.NextToken, "nextToken", 1, 1048576)
	if err := v.err(); err != nil {
		return nil, err
	}
	region := wire.Region(ctx)
	after := ""
	if in.ExclusiveStartStreamName != nil {
		after = *in.ExclusiveStartStreamName
	}
	if in.NextToken != nil {
		tok, err := s.openListStreamsToken(*in.NextToken, region)
		if err != nil {
			return nil, err
		}
		after = tok
	}
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := struct {
		StreamNames     []string        `json:"StreamNames"`
		StreamSummaries []streamSummary `json:"StreamSummaries"`
		HasMoreStreams  bool            `json:"HasMoreStreams"`
		NextToken       *string         `json:"NextToken,omitempty"`
	}{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	prefix := []byte(region + "/")
	now := s.nowMs()
	err := s.store.View(func(tx *bolt.Tx) error {
		c := sub(tx, bucketStreams).Cursor()
		k, _ := c.Seek(append(bytes.Clone(prefix), after...))
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			name := string(k[len(prefix):])
			if name <= after {
				continue
			}
			if len(out.StreamNames) == limit {
				out.HasMoreStreams = true
				break
			}
			m, err := s.loadStream(tx, region, name, true)
			if err != nil {
				return err
			}
			if m == nil {
				continue
			}
			out.StreamNames = append(out.StreamNames, name)
			out.StreamSummaries = append(out.StreamSummaries, streamSummary{
				StreamName: name, StreamARN: m.arn(), StreamStatus: m.status(now),
				StreamModeDetails: modeOut{m.Mode}, StreamCreationTimestamp: epochMs(m.CreatedMs),
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	if out.HasMoreStreams {
		tok := s.sealListStreamsToken(region, out.StreamNames[len(out.StreamNames)-1])
		out.NextToken = &tok
	}
	return out, nil
}
