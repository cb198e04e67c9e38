package demo

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestSetUpPutsTheArchiveAtTheBucketRoot: keys are <consumer>/YYYY/…, so
// an archive prefix naming the consumer makes them stutter; a data
// directory set up by an earlier version is re-tagged.
func TestSetUpPutsTheArchiveAtTheBucketRoot(t *testing.T) {
	if ArchiveURL != "s3://"+BucketName {
		t.Fatalf("ArchiveURL %s: want the root of %s", ArchiveURL, BucketName)
	}
	e := enginetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := newClients(e.Config())
	res, err := setUp(ctx, c, e.Region, "http://127.0.0.1:1/orders")
	if err != nil {
		t.Fatal(err)
	}
	// As an earlier version left them.
	old := "s3://" + BucketName + "/" + PipeName
	if _, err := c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(res.dlqURL), Tags: map[string]string{ArchiveTag: old}}); err != nil {
		t.Fatal(err)
	}
	pipe, err := c.pipes.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String(PipeName)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.pipes.TagResource(ctx, &pipes.TagResourceInput{ResourceArn: pipe.Arn, Tags: map[string]string{ArchiveTag: old}}); err != nil {
		t.Fatal(err)
	}
	if _, err := setUp(ctx, c, e.Region, "http://127.0.0.1:1/orders"); err != nil {
		t.Fatal(err)
	}
	q, err := c.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(res.dlqURL)})
	if err != nil || q.Tags[ArchiveTag] != ArchiveURL {
		t.Fatalf("queue tag %q %v", q.Tags[ArchiveTag], err)
	}
	p, err := c.pipes.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String(PipeName)})
	if err != nil || p.Tags[ArchiveTag] != ArchiveURL {
		t.Fatalf("pipe tag %q %v", p.Tags[ArchiveTag], err)
	}
}
