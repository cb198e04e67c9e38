package hydrate_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/hydrate"
)

// FuzzMessage feeds DLQ bodies of any shape to Message against the
// engine: a body that names records the stream does not hold, in any
// malformed way, must never delete its message, and a message that is
// deleted must have every record archived.
func FuzzMessage(f *testing.F) {
	fx := start(f)
	arn := fx.createStream("orders", 2)
	fx.createBucket(bucket)
	shard, recs := fx.put("orders", "k", datum(1), datum(2))
	valid := pipesFailure(arn, shard, recs, time.Now())
	f.Add(valid)
	f.Add(strings.Replace(valid, `"batchSize":2`, `"batchSize":0`, 1))
	f.Add(strings.Replace(valid, shard, "shardId-000000000001", 1))
	f.Add(strings.Replace(valid, "orders", "gone", -1))
	f.Add(`{"KinesisBatchInfo":{"shardId":"shardId-000000000000","startSequenceNumber":"9","endSequenceNumber":"1","streamArn":"x"},"context":{}}`)
	f.Add(`{"KinesisBatchInfo":{"shardId":"../..","startSequenceNumber":"` + strings.Repeat("9", 128) + `","endSequenceNumber":"` + strings.Repeat("9", 128) + `","streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"},"requestContext":{"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f"}}`)
	f.Add(`{"orderId":"o-1"}`)
	f.Add("\u202e{\"KinesisBatchInfo\": not json")
	base := fx
	var inputs atomic.Int64
	f.Fuzz(func(t *testing.T, body string) {
		if body == "" || len(body) > 64<<10 || !utf8.ValidString(body) {
			return // SQS refuses these
		}
		fx := *base
		fx.t = t
		// A queue of its own, so that no input sees another's messages.
		dlqURL := fx.createQueue(fmt.Sprintf("dlq-%d", inputs.Add(1)))
		if _, err := fx.q.SendMessage(fx.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlqURL), MessageBody: aws.String(body)}); err != nil {
			t.Skipf("SQS refuses the body: %v", err)
		}
		msgs := fx.receiveAll(dlqURL)
		if len(msgs) != 1 {
			t.Fatalf("%d messages in the queue, want the one sent", len(msgs))
		}
		before := len(fx.keys())
		dbg := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("stuck on %q", body)) })
		defer dbg.Stop()
		r, err := hydrate.Message(fx.ctx, fx.s, fx.options(), msgs[0])
		visible, hidden := fx.counts(dlqURL)
		if r.Outcome == hydrate.Hydrated {
			if err != nil || r.Events == 0 || r.Events != r.Records || visible+hidden != 0 {
				t.Fatalf("hydrated %+v (%v) with %d messages left", r, err, visible+hidden)
			}
			after := fx.keys()
			for _, k := range r.Keys {
				if !slices.Contains(after, k) {
					t.Fatalf("deleted the message but %s is not archived", k)
				}
			}
			return
		}
		if visible != 1 || hidden != 0 {
			t.Fatalf("%s message: %d visible, %d hidden; want it back in the queue", r.Outcome, visible, hidden)
		}
		if r.Outcome == hydrate.Failed && err == nil || r.Reason == "" {
			t.Fatalf("result %+v, error %v", r, err)
		}
		if len(fx.keys()) < before {
			t.Fatal("objects disappeared")
		}
	})
}
