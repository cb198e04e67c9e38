package demo_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestDemoFillsTheDLQWithPipesFailures runs the whole scenario on a real
// engine and waits for the pipe's poison records to reach the DLQ as
// Pipes failure messages.
func TestDemoFillsTheDLQWithPipesFailures(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.RetryBase, o.RetryCap = 5*time.Millisecond, 50*time.Millisecond
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stats := &demo.Stats{}
	go func() { done <- demo.Run(ctx, demo.Options{Endpoint: e.URL, Rate: 200, Seed: 7}, stats) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()

	queues := e.SQS()
	url := aws.String(e.URL + "/000000000000/" + demo.DLQName)
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err == nil && len(out.Messages) > 0 {
			var msg struct {
				Context struct {
					PartnerResourceArn string `json:"partnerResourceArn"`
					Condition          string `json:"condition"`
				} `json:"context"`
				KinesisBatchInfo struct {
					ShardID             string `json:"shardId"`
					StartSequenceNumber string `json:"startSequenceNumber"`
					BatchSize           int    `json:"batchSize"`
					StreamArn           string `json:"streamArn"`
				} `json:"KinesisBatchInfo"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &msg); err != nil {
				t.Fatalf("DLQ message is not JSON: %v", err)
			}
			if msg.Context.PartnerResourceArn != "arn:aws:pipes:us-east-1:000000000000:pipe/"+demo.PipeName ||
				msg.Context.Condition != "RetryAttemptsExhausted" || msg.KinesisBatchInfo.BatchSize != 1 ||
				msg.KinesisBatchInfo.StreamArn != "arn:aws:kinesis:us-east-1:000000000000:stream/"+demo.StreamName ||
				msg.KinesisBatchInfo.StartSequenceNumber == "" {
				t.Fatalf("DLQ message is not a bisected Pipes failure: %+v", msg)
			}
			if stats.API.Rejected.Load() == 0 || stats.Producer.Records.Load() == 0 {
				t.Fatalf("stats do not show the flow: %+v", stats)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failure reached %s (last error %v); produced %d, API rejected %d",
				demo.DLQName, err, stats.Producer.Records.Load(), stats.API.Rejected.Load())
		}
	}
}
