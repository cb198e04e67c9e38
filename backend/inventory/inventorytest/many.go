package inventorytest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// ManyStreamName is the name Many gives stream i: in list order.
func ManyStreamName(i int) string { return fmt.Sprintf("s%05d", i) }

// ManyShards is an engine option that raises the account's shard quota
// (500, as AWS's smaller regions) for Many's streams.
func ManyShards(streams int) enginetest.Option {
	return enginetest.WithOptions(func(o *localengine.Options) { o.KinesisShardQuota = max(streams, o.KinesisShardQuota) })
}

// Many creates streams one-shard streams and queues queues in the
// engine through its own SDK clients (not a backend session, so that no
// budget paces the set-up), 16 calls at a time: a scale test's account.
// Start the engine with ManyShards(streams).
func Many(tb testing.TB, e *enginetest.Engine, streams, queues int) {
	tb.Helper()
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(16)
	// One client each: a client per call would open a connection per
	// call and fill the engine's 1,024 until they idle out.
	k, q := e.Kinesis(), e.SQS()
	for i := range streams {
		g.Go(func() error {
			_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(ManyStreamName(i)), ShardCount: aws.Int32(1)})
			return err
		})
	}
	for i := range queues {
		g.Go(func() error {
			_, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("q%04d", i))})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatalf("create %d streams and %d queues: %v", streams, queues, err)
	}
}
