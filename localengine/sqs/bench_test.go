package sqs_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

// BenchmarkSendReceiveDelete runs 8 workers against one queue through the
// SDK over loopback, each sending a batch of 10, receiving up to 10 and
// deleting what it received. msgs/s counts messages that went all the way
// through (sent, received, deleted).
func BenchmarkSendReceiveDelete(b *testing.B) {
	e := enginetest.Start(b)
	c := e.SQS()
	ctx := context.Background()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	url := out.QueueUrl
	const workers, batch = 8, 10
	rounds := int64(b.N/batch + 1)
	var next, deleted atomic.Int64
	body := aws.String("{\"event\":\"order-created\",\"id\":12345,\"payload\":\"0123456789abcdef0123456789abcdef\"}")

	cycle := func(send bool) (int, error) {
		if send {
			entries := make([]types.SendMessageBatchRequestEntry, batch)
			for i := range entries {
				entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: body}
			}
			if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries}); err != nil {
				return 0, err
			}
		}
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: batch})
		if err != nil || len(got.Messages) == 0 {
			return 0, err
		}
		dels := make([]types.DeleteMessageBatchRequestEntry, len(got.Messages))
		for i, m := range got.Messages {
			dels[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: dels}); err != nil {
			return 0, err
		}
		return len(dels), nil
	}

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= rounds {
				n, err := cycle(true)
				if err != nil {
					errs <- err
					return
				}
				deleted.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	// Drain what other workers' receives left behind.
	for deleted.Load() < rounds*batch {
		n, err := cycle(false)
		if err != nil {
			b.Fatal(err)
		}
		deleted.Add(int64(n))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(deleted.Load())/elapsed.Seconds(), "msgs/s")
}
