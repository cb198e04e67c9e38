package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// TestDLQHydrateReadsTheQueueTagsOnce: the archive of a DLQ that has no
// tag of its own, named by its pipe's tag, was found by reading the
// queue's tags, then reading them again in the discovery of the pipeline
// whose DLQ it is: two ListQueueTags of one queue in one run. The run
// reads them once and hydrates where the pipe's tag says.
func TestDLQHydrateReadsTheQueueTagsOnce(t *testing.T) {
	sc := newHydrateScene(t, 1, "")
	attrs, err := sc.e.SQS().GetQueueAttributes(sc.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(sc.queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	_, sinkARN := inventorytest.Queue(t, sc.e, "sink", nil)
	inventorytest.Pipe(t, sc.e, "orders-to-api", "arn:aws:kinesis:us-east-1:000000000000:stream/orders", sinkARN, attrs.Attributes["QueueArn"],
		map[string]string{"sluice:archive": "s3://archive/piped/"})
	p := faultproxy.Start(t, sc.e.URL)

	_, stderr, err := runHydrateCmd(newRootCmd(buildInfo{}), []string{"dlq", "hydrate", "orders-dlq", sc.ids[0],
		"--yes", "--profile", "local", "--endpoint-url", p.URL})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if keys := sc.objects(); len(keys) != 1 || !strings.HasPrefix(keys[0], "piped/orders-to-api/") {
		t.Fatalf("archived %v, want one event under the pipe's tag's prefix", keys)
	}
	tagReads := p.Seen(func(r faultproxy.Request) bool {
		return r.Operation == "ListQueueTags" && faultproxy.BodyHas("QueueUrl", "orders-dlq")(r)
	})
	if len(tagReads) != 1 {
		t.Fatalf("orders-dlq's tags were read %d times in one run, want 1", len(tagReads))
	}
}
