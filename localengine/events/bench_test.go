package events_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

const benchProducers = 8

// putAll sends n events in PutEvents calls of 10 from several producers
// and returns when every call was answered.
func putAll(b *testing.B, c *eventbridge.Client, n int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchProducers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := int(next.Add(10)) - 10
				if start >= n {
					return
				}
				var entries []types.PutEventsRequestEntry
				for i := start; i < min(start+10, n); i++ {
					entries = append(entries, types.PutEventsRequestEntry{Source: aws.String("bench"), DetailType: aws.String("tick"),
						Detail: aws.String(`{"seq":` + strconv.Itoa(i) + `,"payload":"0123456789abcdef0123456789abcdef"}`)})
				}
				out, err := c.PutEvents(b.Context(), &eventbridge.PutEventsInput{Entries: entries})
				if err != nil || out.FailedEntryCount != 0 {
					b.Errorf("put events: %v %+v", err, out)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkPutEvents10RulesSQS: every event matches 10 rules, each with an
// SQS queue target; the clock runs until every delivery is in its queue.
func BenchmarkPutEvents10RulesSQS(b *testing.B) {
	e := enginetest.Start(b)
	c, q := e.EventBridge(), e.SQS()
	var urls []string
	for i := range 10 {
		name := fmt.Sprintf("q%d", i)
		out, err := q.CreateQueue(b.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			b.Fatal(err)
		}
		urls = append(urls, *out.QueueUrl)
		putRule(b, c, "", fmt.Sprintf("r%d", i), `{"source":["bench"],"detail":{"seq":[{"numeric":[">=",0]}]}}`)
		putTargets(b, c, "", fmt.Sprintf("r%d", i), types.Target{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:" + name)})
	}
	b.ResetTimer()
	begin := time.Now()
	putAll(b, c, b.N)
	accepted := time.Since(begin)
	want := 10 * b.N
	for {
		total := 0
		for _, u := range urls {
			out, err := q.GetQueueAttributes(b.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
			if err != nil {
				b.Fatal(err)
			}
			n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
			total += n
		}
		if total >= want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/accepted.Seconds(), "accepted-events/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkPutEvents10RulesHTTP: every event matches 10 rules, each with
// its own API destination (InvocationRateLimitPerSecond 300, AWS's
// default) on a fast local HTTP server, so deliveries are bounded by
// 10 × 300/s.
func BenchmarkPutEvents10RulesHTTP(b *testing.B) {
	e := enginetest.Start(b)
	c := e.EventBridge()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	for i := range 10 {
		arn := apiDestination(b, c, fmt.Sprintf("d%d", i), srv.URL, 300)
		putRule(b, c, "", fmt.Sprintf("r%d", i), `{"source":["bench"]}`)
		putTargets(b, c, "", fmt.Sprintf("r%d", i), types.Target{Id: aws.String("api"), Arn: aws.String(arn)})
	}
	b.ResetTimer()
	begin := time.Now()
	putAll(b, c, b.N)
	accepted := time.Since(begin)
	want := int64(10 * b.N)
	for calls.Load() < want {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/accepted.Seconds(), "accepted-events/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
}
