package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/metrics"
)

// One queue whose metrics are denied is a failure beside the others'
// metrics, never the loss of them all.
func TestForQueuesKeepsTheOthersWhenOneIsDenied(t *testing.T) {
	_, e := backendtest.Open(t)
	ctx := context.Background()
	for _, name := range []string{"alpha", "beta", "gamma"} {
		url, _ := inventorytest.Queue(t, e, name, nil)
		if _, err := e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprint(name))}); err != nil {
			t.Fatal(err)
		}
	}
	p := faultproxy.Start(t, e.URL)
	// CBOR carries the dimension's value as its raw bytes.
	p.Add(&faultproxy.Rule{Service: "monitoring", Match: func(r faultproxy.Request) bool { return bytes.Contains(r.Body, []byte("beta")) },
		Fault: faultproxy.Denied("cloudwatch:GetMetricData", "*")})
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	start, end := window()
	got, fails := metrics.ForQueues(ctx, s, []string{"alpha", "beta", "gamma"}, start, end)
	if _, ok := got["alpha"]; !ok || len(got) != 2 || got["gamma"] == nil {
		t.Fatalf("metrics of %d queues, want alpha and gamma: %v", len(got), got)
	}
	if len(fails) != 1 || fails[0].Resource != "queue beta" || fails[0].Kind != backend.FailDenied {
		t.Fatalf("failures %+v, want beta denied", fails)
	}
}
