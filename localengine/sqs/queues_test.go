package sqs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestCreateQueueAttributesAndIdempotency(t *testing.T) {
	f := start(t)
	url := f.createQueue("jobs", map[string]string{"VisibilityTimeout": "45", "DelaySeconds": "3"})
	equal(t, "url", url, f.e.URL+"/000000000000/jobs")

	a := f.attrs(url, types.QueueAttributeNameAll)
	want := map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "3", "MaximumMessageSize": "1048576",
		"MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:jobs", "ApproximateNumberOfMessages": "0",
		"ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
		"SqsManagedSseEnabled": "true",
	}
	for k, v := range want {
		equal(t, k, a[k], v)
	}
	for _, k := range []string{"CreatedTimestamp", "LastModifiedTimestamp"} {
		if n, err := strconv.ParseInt(a[k], 10, 64); err != nil || n < time.Now().Add(-time.Hour).Unix() {
			t.Fatalf("%s = %q", k, a[k])
		}
	}
	if _, ok := a["FifoQueue"]; ok {
		t.Fatal("standard queue reports FifoQueue")
	}

	// Same attributes (or a subset): same queue.
	equal(t, "idempotent", f.createQueue("jobs", map[string]string{"VisibilityTimeout": "45"}), url)
	equal(t, "idempotent without attributes", f.createQueue("jobs", nil), url)
	_, err := f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"),
		Attributes: map[string]string{"VisibilityTimeout": "46"}})
	wantType[*types.QueueNameExists](t, err)
	wantCode(t, err, "QueueAlreadyExists")

	// Only the named attributes.
	a = f.attrs(url, types.QueueAttributeNameQueueArn, types.QueueAttributeNameDelaySeconds)
	equal(t, "subset", len(a), 2)
	_, err = f.c.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{"Bogus"}})
	wantType[*types.InvalidAttributeName](t, err)

	for _, bad := range []map[string]string{
		{"VisibilityTimeout": "43201"}, {"DelaySeconds": "-1"}, {"MaximumMessageSize": "1023"},
		{"MessageRetentionPeriod": "59"}, {"ReceiveMessageWaitTimeSeconds": "21"}, {"VisibilityTimeout": "abc"},
	} {
		_, err := f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: bad})
		wantType[*types.InvalidAttributeValue](t, err)
	}
	_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"Nope": "1"}})
	wantType[*types.InvalidAttributeName](t, err)
	_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"QueueArn": "x"}})
	wantType[*types.InvalidAttributeName](t, err)
	// FIFO-only attributes on a standard queue.
	_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantType[*types.InvalidAttributeName](t, err)
	for _, name := range []string{"has space", "dot.name", strings.Repeat("n", 81), "", "x.fifo"} {
		_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		wantCode(t, err, "InvalidParameterValue")
	}
	_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("nofifosuffix"), Attributes: map[string]string{"FifoQueue": "true"}})
	wantCode(t, err, "InvalidParameterValue")

	// FIFO queue defaults.
	furl := f.createQueue("jobs.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	fa := f.attrs(furl, types.QueueAttributeNameAll)
	equal(t, "FifoQueue", fa["FifoQueue"], "true")
	equal(t, "ContentBasedDeduplication", fa["ContentBasedDeduplication"], "true")
	equal(t, "DeduplicationScope", fa["DeduplicationScope"], "queue")
	equal(t, "FifoThroughputLimit", fa["FifoThroughputLimit"], "perQueue")
	_, err = f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("ht.fifo"), Attributes: map[string]string{
		"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"}})
	wantType[*types.InvalidAttributeValue](t, err)
	f.createQueue("ht.fifo", map[string]string{"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "messageGroup"})
}

func TestSetQueueAttributes(t *testing.T) {
	f := start(t)
	url := f.createQueue("s", nil)
	before := f.attrs(url, types.QueueAttributeNameAll)
	f.e.Clock.Advance(2 * time.Second)
	_, err := f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"VisibilityTimeout": "120", "MaximumMessageSize": "2048", "Policy": `{"Version":"2012-10-17","Statement":[]}`,
		"KmsMasterKeyId": "alias/aws/sqs",
	}})
	if err != nil {
		t.Fatal(err)
	}
	a := f.attrs(url, types.QueueAttributeNameAll)
	equal(t, "VisibilityTimeout", a["VisibilityTimeout"], "120")
	equal(t, "MaximumMessageSize", a["MaximumMessageSize"], "2048")
	equal(t, "KmsMasterKeyId", a["KmsMasterKeyId"], "alias/aws/sqs")
	equal(t, "KmsDataKeyReusePeriodSeconds", a["KmsDataKeyReusePeriodSeconds"], "300")
	equal(t, "SqsManagedSseEnabled", a["SqsManagedSseEnabled"], "false")
	equal(t, "Policy", a["Policy"], `{"Version":"2012-10-17","Statement":[]}`)
	if a["LastModifiedTimestamp"] == before["LastModifiedTimestamp"] && before["LastModifiedTimestamp"] != "" {
		// Seconds resolution: two seconds passed on the clock.
		t.Fatalf("LastModifiedTimestamp did not move: %s", a["LastModifiedTimestamp"])
	}
	equal(t, "CreatedTimestamp", a["CreatedTimestamp"], before["CreatedTimestamp"])

	_, err = f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": "{not json"}})
	wantType[*types.InvalidAttributeValue](t, err)
	_, err = f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"FifoQueue": "true"}})
	wantType[*types.InvalidAttributeValue](t, err)
	_, err = f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"ApproximateNumberOfMessages": "1"}})
	wantType[*types.InvalidAttributeName](t, err)
	_, err = f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url + "x"), Attributes: map[string]string{"DelaySeconds": "1"}})
	wantType[*types.QueueDoesNotExist](t, err)
}

func TestGetQueueURLListAndDelete(t *testing.T) {
	f := start(t)
	var urls []string
	for i := 0; i < 5; i++ {
		urls = append(urls, f.createQueue(fmt.Sprintf("app-%d", i), nil))
	}
	f.createQueue("other", nil)

	out, err := f.c.GetQueueUrl(f.ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("app-3")})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "GetQueueUrl", aws.ToString(out.QueueUrl), urls[3])
	_, err = f.c.GetQueueUrl(f.ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	wantType[*types.QueueDoesNotExist](t, err)

	all, err := f.c.ListQueues(f.ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "all queues", len(all.QueueUrls), 6)
	equal(t, "no token without MaxResults", all.NextToken == nil, true)

	var paged []string
	var token *string
	for pages := 0; ; pages++ {
		page, err := f.c.ListQueues(f.ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("app-"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.QueueUrls...)
		if page.NextToken == nil {
			break
		}
		token = page.NextToken
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	equalSlices(t, "paged", paged, urls)
	_, err = f.c.ListQueues(f.ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.ListQueues(f.ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1), NextToken: aws.String("!!")})
	wantCode(t, err, "InvalidParameterValue")

	// Queues belong to a region.
	west := sqs.NewFromConfig(f.e.Config(), func(o *sqs.Options) { o.Region = "eu-west-1" })
	wl, err := west.ListQueues(f.ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "other region", len(wl.QueueUrls), 0)
	wout, err := west.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("app-0")})
	if err != nil {
		t.Fatal(err)
	}
	wattrs, err := west.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: wout.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "regional arn", wattrs.Attributes["QueueArn"], "arn:aws:sqs:eu-west-1:000000000000:app-0")

	// Any host is accepted in a queue URL.
	f.send("https://sqs.us-east-1.amazonaws.com/000000000000/app-0", "via aws host")
	equal(t, "other host", aws.ToString(f.receive(urls[0], 1)[0].Body), "via aws host")
	_, err = f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.e.URL + "/not-a-queue-url"), MessageBody: aws.String("x")})
	wantType[*types.InvalidAddress](t, err)

	if _, err := f.c.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(urls[0])}); err != nil {
		t.Fatal(err)
	}
	_, err = f.c.GetQueueAttributes(f.ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(urls[0])})
	wantType[*types.QueueDoesNotExist](t, err)
	_, err = f.c.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(urls[0])})
	wantType[*types.QueueDoesNotExist](t, err)
	// A queue made again under the same name starts empty.
	equal(t, "recreated", f.createQueue("app-0", nil), urls[0])
	equal(t, "empty", f.counts(urls[0]), [3]string{"0", "0", "0"})
}

func TestTags(t *testing.T) {
	f := start(t)
	out, err := f.c.CreateQueue(f.ctx, &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	created, err := f.c.ListQueueTags(f.ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "tags at creation", fmt.Sprint(created.Tags), "map[team:core]")
	if _, err := f.c.TagQueue(f.ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "dev", "team": "edge"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.c.ListQueueTags(f.ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "tags", fmt.Sprint(tags.Tags), "map[env:dev team:edge]")
	if _, err := f.c.UntagQueue(f.ctx, &sqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = f.c.ListQueueTags(f.ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	equal(t, "after untag", fmt.Sprint(tags.Tags), "map[env:dev]")

	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many["k"+strconv.Itoa(i)] = "v"
	}
	_, err = f.c.TagQueue(f.ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: many})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.TagQueue(f.ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"aws:x": "v"}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.ListQueueTags(f.ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(f.e.URL + "/000000000000/none")})
	wantType[*types.QueueDoesNotExist](t, err)
}

func TestPurgeQueue(t *testing.T) {
	f := start(t)
	url := f.createQueue("purge", nil)
	for i := 0; i < 5; i++ {
		f.send(url, "m"+strconv.Itoa(i))
	}
	inflight := f.receive(url, 2)
	if _, err := f.c.PurgeQueue(f.ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	equal(t, "purged", f.counts(url), [3]string{"0", "0", "0"})
	_, err := f.c.PurgeQueue(f.ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantType[*types.PurgeQueueInProgress](t, err)
	wantCode(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress")
	// A handle from before the purge deletes nothing and fails nothing.
	f.deleteMsg(url, inflight[0])
	f.send(url, "after")
	equalSlices(t, "after purge", bodies(f.receive(url, 10)), []string{"after"})
	f.e.Clock.Advance(61 * time.Second)
	if _, err := f.c.PurgeQueue(f.ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
}

func TestPermissions(t *testing.T) {
	f := start(t)
	url := f.createQueue("perm", nil)
	if _, err := f.c.AddPermission(f.ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	policy := f.attrs(url, types.QueueAttributeNamePolicy)["Policy"]
	if !strings.Contains(policy, `"Sid":"l1"`) || !strings.Contains(policy, "SQS:SendMessage") {
		t.Fatalf("policy %s", policy)
	}
	_, err := f.c.AddPermission(f.ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantCode(t, err, "InvalidParameterValue")
	if _, err := f.c.RemovePermission(f.ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1")}); err != nil {
		t.Fatal(err)
	}
	equal(t, "policy gone", f.attrs(url, types.QueueAttributeNameAll)["Policy"], "")
	_, err = f.c.RemovePermission(f.ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("l1")})
	wantCode(t, err, "InvalidParameterValue")
}
