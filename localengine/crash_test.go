package localengine_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func TestMain(m *testing.M) {
	enginetest.RunChildIfAsked()
	os.Exit(m.Run())
}

func clientConfig(url string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		HTTPClient:       enginetest.HTTPClient(),
	}
}

// ackLog records what the engine acknowledged.
type ackLog struct {
	mu       sync.Mutex
	records  map[string]bool
	messages map[string]bool
}

func (a *ackLog) add(set map[string]bool, ids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		set[id] = true
	}
}

func (a *ackLog) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.records), len(a.messages)
}

// TestAcknowledgedWritesSurviveSIGKILL kills the engine during concurrent
// PutRecords and SendMessage calls; after a restart every acknowledged
// record and message is there, and none is there twice.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	child, url := enginetest.StartChild(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := clientConfig(url)
	streams, queues := kinesis.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	if _, err := streams.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("crash"), ShardCount: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}

	acks := &ackLog{records: map[string]bool{}, messages: map[string]bool{}}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func(w int) {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				entries := make([]ktypes.PutRecordsRequestEntry, 50)
				ids := make([]string, len(entries))
				for i := range entries {
					ids[i] = fmt.Sprintf("r-%d-%d-%d", w, n, i)
					entries[i] = ktypes.PutRecordsRequestEntry{Data: []byte(ids[i]), PartitionKey: aws.String(ids[i])}
				}
				out, err := streams.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("crash"), Records: entries})
				if err != nil {
					return // the engine is gone
				}
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						acks.add(acks.records, ids[i])
					}
				}
			}
		}(w)
		go func(w int) {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("m-%d-%d", w, n)
				if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(id)}); err != nil {
					return
				}
				acks.add(acks.messages, id)
			}
		}(w)
	}
	// Kill once a fair amount of work was acknowledged, whatever the speed
	// of the machine, while the writers are still going.
	for {
		r, m := acks.counts()
		if r >= 5000 && m >= 300 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	wg.Wait()
	cancel()

	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.DataDir = dir }))
	seenRecords := readAllRecords(t, e.Kinesis(), "crash")
	seenMessages := receiveAll(t, e.SQS(), aws.ToString(q.QueueUrl))
	checkExactlyOnce(t, "record", acks.records, seenRecords)
	checkExactlyOnce(t, "message", acks.messages, seenMessages)
	t.Logf("acknowledged %d records and %d messages before SIGKILL; found %d and %d after restart",
		len(acks.records), len(acks.messages), len(seenRecords), len(seenMessages))
}

func checkExactlyOnce(t *testing.T, what string, acked map[string]bool, seen map[string]int) {
	t.Helper()
	for id := range acked {
		if seen[id] == 0 {
			t.Errorf("acknowledged %s %s lost", what, id)
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s %s stored %d times", what, id, n)
		}
	}
}

func readAllRecords(t *testing.T, c *kinesis.Client, stream string) map[string]int {
	t.Helper()
	ctx := context.Background()
	seen := map[string]int{}
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Records {
				seen[string(r.Data)]++
			}
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return seen
}

func receiveAll(t *testing.T, c *sqs.Client, url string) map[string]int {
	t.Helper()
	ctx := context.Background()
	seen := map[string]int{}
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url),
			MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return seen
		}
		for _, m := range out.Messages {
			seen[aws.ToString(m.Body)]++
		}
	}
}
