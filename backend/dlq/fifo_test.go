package dlq_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
)

// TestBrowseOfAFIFOQueueSaysWhatItCannotSee: SQS hands out no more of a
// message group while some of it is hidden, so a browse sees the first
// messages of each group only, and says so.
func TestBrowseOfAFIFOQueueSaysWhatItCannotSee(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "orders-dlq.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for i := range 25 {
		if _, err := e.SQS().SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url),
			MessageBody: aws.String(strconv.Itoa(i)), MessageGroupId: aws.String("g")}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Released != len(res.Messages) || !res.Queue.FIFO {
		t.Fatalf("released %d of %d, queue %+v", res.Released, len(res.Messages), res.Queue)
	}
	if len(res.Messages) < 25 && (res.Complete || !strings.Contains(res.Warning, "orders-dlq.fifo is a FIFO queue")) {
		t.Fatalf("saw %d of 25, complete %v, warning %q", len(res.Messages), res.Complete, res.Warning)
	}
	if v, _ := count(t, e, url); v != 25 {
		t.Fatalf("%d visible after the browse, want 25", v)
	}
}
