// Package streamadmin changes streams: create, delete, retention, and a
// test record for local work. Each asks the session's guard first and
// records the write after.
package streamadmin

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
)

// Create creates a stream of shards shards, or an on-demand one.
func Create(ctx context.Context, s *backend.Session, name string, shards int, onDemand bool) error {
	what := "create stream " + name
	if err := s.Guard(what); err != nil {
		return err
	}
	in := &kinesis.CreateStreamInput{StreamName: aws.String(name)}
	if onDemand {
		in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
	} else {
		in.ShardCount = aws.Int32(int32(shards))
	}
	_, err := s.Kinesis().CreateStream(ctx, in)
	if err != nil {
		err = fmt.Errorf("%s: %w", what, s.Explain(err))
	}
	s.Audit("create stream", name, err)
	return err
}

// Delete deletes a stream; with consumers set, its enhanced
// fan-out consumers go with it (AWS refuses otherwise).
func Delete(ctx context.Context, s *backend.Session, name string, consumers bool) error {
	what := "delete stream " + name
	if err := s.Guard(what); err != nil {
		return err
	}
	in := &kinesis.DeleteStreamInput{StreamName: aws.String(name)}
	if consumers {
		in.EnforceConsumerDeletion = aws.Bool(true)
	}
	_, err := s.Kinesis().DeleteStream(ctx, in)
	if err != nil {
		err = fmt.Errorf("%s: %w", what, s.Explain(err))
	}
	s.Audit("delete stream", name, err)
	return err
}

// SetRetention raises or lowers a stream's retention from one number of
// hours to another, with the API each direction needs.
func SetRetention(ctx context.Context, s *backend.Session, name string, from, to int) error {
	what := fmt.Sprintf("change retention of stream %s to %d hours", name, to)
	if err := s.Guard(what); err != nil {
		return err
	}
	var err error
	if to > from {
		_, err = s.Kinesis().IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
			StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(int32(to)),
		})
	} else {
		_, err = s.Kinesis().DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{
			StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(int32(to)),
		})
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", what, s.Explain(err))
	}
	s.Audit(fmt.Sprintf("retention %dh→%dh", from, to), name, err)
	return err
}

// PutRecord writes one record and says where it landed.
func PutRecord(ctx context.Context, s *backend.Session, name, key string, data []byte) (shard, seq string, err error) {
	what := "put a record to stream " + name
	if err := s.Guard(what); err != nil {
		return "", "", err
	}
	out, err := s.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String(name), PartitionKey: aws.String(key), Data: data,
	})
	if err != nil {
		err = fmt.Errorf("%s: %w", what, s.Explain(err))
		s.Audit("put record", name, err)
		return "", "", err
	}
	s.Audit("put record", name, nil)
	return aws.ToString(out.ShardId), aws.ToString(out.SequenceNumber), nil
}
