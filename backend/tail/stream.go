package tail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend"
)

// stream names a stream the way the user did: calls send its ARN when the
// user gave one (another account's stream), else its name.
type stream struct {
	name, arn string
	byARN     bool
}

func (s stream) nameParam() *string {
	if s.byARN {
		return nil
	}
	return aws.String(s.name)
}

func (s stream) arnParam() *string {
	if s.byARN {
		return aws.String(s.arn)
	}
	return nil
}

func (s stream) String() string { return s.name }

// resolveStream finds the stream's name and ARN, and checks that it exists
// before any shard reader starts.
func resolveStream(ctx context.Context, c *kinesis.Client, nameOrARN string) (stream, error) {
	s := stream{name: nameOrARN}
	if strings.HasPrefix(nameOrARN, "arn:") {
		s = stream{arn: nameOrARN, byARN: true}
		if i := strings.LastIndex(nameOrARN, "/"); i >= 0 {
			s.name = nameOrARN[i+1:]
		}
	}
	out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: s.nameParam(), StreamARN: s.arnParam()})
	if err != nil {
		return s, err
	}
	if d := out.StreamDescriptionSummary; d != nil {
		s.name, s.arn = aws.ToString(d.StreamName), aws.ToString(d.StreamARN)
	}
	return s, nil
}

// listShards lists every shard the filter selects, following NextToken
// (which ListShards refuses beside a stream name, but takes beside the
// ARN, as inventory.ListShards sends it: the SDK sends a call to the
// endpoint of the ARN's account and region only when the ARN travels with
// it).
func listShards(ctx context.Context, c *kinesis.Client, s stream, filter *types.ShardFilter) ([]types.Shard, error) {
	in := &kinesis.ListShardsInput{StreamName: s.nameParam(), StreamARN: s.arnParam(), ShardFilter: filter}
	var shards []types.Shard
	for {
		out, err := c.ListShards(ctx, in)
		if err != nil {
			return shards, err
		}
		shards = append(shards, out.Shards...)
		if aws.ToString(out.NextToken) == "" {
			return shards, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, StreamARN: s.arnParam()}
	}
}

// shardFilter is the ListShards filter that selects the shards a tail of
// the whole stream from p may need: for a timestamp, those open at or
// after it; for LATEST, the open ones.
func shardFilter(p Position) *types.ShardFilter {
	switch p.Kind {
	case TrimHorizon:
		return &types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}
	case Latest:
		return &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}
	case AtTimestamp:
		return &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(p.Time)}
	}
	return nil
}

// iteratorInput asks for an iterator on shard at p.
func iteratorInput(s stream, shard string, p Position) *kinesis.GetShardIteratorInput {
	in := &kinesis.GetShardIteratorInput{StreamName: s.nameParam(), StreamARN: s.arnParam(), ShardId: aws.String(shard)}
	switch p.Kind {
	case TrimHorizon:
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	case Latest:
		in.ShardIteratorType = types.ShardIteratorTypeLatest
	case AtTimestamp:
		in.ShardIteratorType = types.ShardIteratorTypeAtTimestamp
		in.Timestamp = aws.Time(p.Time)
	case AtSequence:
		in.ShardIteratorType = types.ShardIteratorTypeAtSequenceNumber
		in.StartingSequenceNumber = aws.String(p.Sequence)
	case AfterSequence:
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(p.Sequence)
	}
	return in
}

// findSequenceShard finds which of shards the sequence number of p belongs
// to: GetShardIterator refuses a number from another shard with
// InvalidArgument, on AWS as on the engine.
func findSequenceShard(ctx context.Context, c *kinesis.Client, s stream, shards []types.Shard, p Position) (string, error) {
	for _, sh := range shards {
		id := aws.ToString(sh.ShardId)
		err := retryThrottled(ctx, func() error {
			_, err := c.GetShardIterator(ctx, iteratorInput(s, id, p), backend.WithoutThrottleRetries)
			return err
		})
		if err == nil {
			return id, nil
		}
		var invalid *types.InvalidArgumentException
		if !errors.As(err, &invalid) {
			return "", err
		}
	}
	return "", fmt.Errorf("sequence number %s belongs to no shard of stream %s (or is past its retention)", p.Sequence, s)
}

// retryThrottled runs call until it is not throttled, backing off between
// tries.
func retryThrottled(ctx context.Context, call func() error) error {
	var b backoff
	for {
		err := call()
		if !backend.IsKinesisThrottle(err) {
			return err
		}
		if err := backend.Sleep(ctx, b.next()); err != nil {
			return err
		}
	}
}

// sleepBeforeEmptyPoll is how long an unpaced reader waits before asking
// again a shard that had nothing new: Kinesis's 5 reads a second.
const sleepBeforeEmptyPoll = time.Second / MaxReadsPerSecond
