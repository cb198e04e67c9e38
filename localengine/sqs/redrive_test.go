package sqs_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func redrivePolicy(dlqArn string, max int) string {
	return fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, dlqArn, max)
}

// withDLQ creates a source queue with a dead-letter queue.
func (f *fixture) withDLQ(src, dlq string, max int, attrs map[string]string) (string, string) {
	f.t.Helper()
	dattrs := map[string]string{}
	sattrs := map[string]string{"VisibilityTimeout": "5"}
	for k, v := range attrs {
		dattrs[k], sattrs[k] = v, v
	}
	dlqURL := f.createQueue(dlq, dattrs)
	sattrs["RedrivePolicy"] = redrivePolicy(f.arn(dlqURL), max)
	return f.createQueue(src, sattrs), dlqURL
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	f := start(t)
	src, dlq := f.withDLQ("work", "work-dlq", 2, nil)
	srcArn := f.arn(src)
	equal(t, "policy", f.attrs(src, types.QueueAttributeNameRedrivePolicy)["RedrivePolicy"], redrivePolicy(f.arn(dlq), 2))
	sent := f.send(src, "poison")

	for i := 1; i <= 2; i++ {
		m := f.receive(src, 1)
		equal(t, "receive count", m[0].Attributes["ApproximateReceiveCount"], strconv.Itoa(i))
		f.e.Clock.Advance(6 * time.Second)
	}
	// The third receive finds it past maxReceiveCount: it moves instead.
	equal(t, "moved, not delivered", len(f.receive(src, 1)), 0)
	equal(t, "source empty", f.counts(src), [3]string{"0", "0", "0"})
	m := f.receive(dlq, 1)
	equal(t, "in the DLQ", aws.ToString(m[0].Body), "poison")
	equal(t, "same message id", aws.ToString(m[0].MessageId), aws.ToString(sent.MessageId))
	equal(t, "source recorded", m[0].Attributes["DeadLetterQueueSourceArn"], srcArn)
	equal(t, "count carries over", m[0].Attributes["ApproximateReceiveCount"], "3")

	out, err := f.c.ListDeadLetterSourceQueues(f.ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil {
		t.Fatal(err)
	}
	equalSlices(t, "dead letter sources", out.QueueUrls, []string{src})
	none, err := f.c.ListDeadLetterSourceQueues(f.ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(src)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "no sources", len(none.QueueUrls), 0)

	// Removing the policy stops redrive.
	if _, err := f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src),
		Attributes: map[string]string{"RedrivePolicy": ""}}); err != nil {
		t.Fatal(err)
	}
	equal(t, "policy removed", f.attrs(src, types.QueueAttributeNameAll)["RedrivePolicy"], "")
}

func TestRedrivePolicyValidation(t *testing.T) {
	f := start(t)
	dlq := f.createQueue("dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	fdlq := f.createQueue("dlq.fifo", map[string]string{"FifoQueue": "true"})
	open := f.createQueue("open-dlq", nil)
	src := f.createQueue("src", nil)
	set := func(policy string) error {
		_, err := f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src),
			Attributes: map[string]string{"RedrivePolicy": policy}})
		return err
	}
	for _, bad := range []string{
		redrivePolicy("arn:aws:sqs:us-east-1:000000000000:missing", 3), // target must exist
		redrivePolicy(f.arn(fdlq), 3),                                  // same type
		redrivePolicy(f.arn(open), 0),
		redrivePolicy(f.arn(open), 1001),
		`{"deadLetterTargetArn":"` + f.arn(open) + `"}`,
		`not json`,
		redrivePolicy(f.arn(dlq), 3), // its RedriveAllowPolicy denies everyone
	} {
		wantCode(t, set(bad), "InvalidParameterValue")
	}
	if err := set(`{"deadLetterTargetArn":"` + f.arn(open) + `","maxReceiveCount":"7"}`); err != nil {
		t.Fatal(err)
	}
	equal(t, "normalized", f.attrs(src, types.QueueAttributeNameRedrivePolicy)["RedrivePolicy"], redrivePolicy(f.arn(open), 7))
	// byQueue naming the source allows it.
	if _, err := f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(dlq), Attributes: map[string]string{
		"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["` + f.arn(src) + `"]}`}}); err != nil {
		t.Fatal(err)
	}
	if err := set(redrivePolicy(f.arn(dlq), 3)); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.SetQueueAttributes(f.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(dlq), Attributes: map[string]string{
		"RedriveAllowPolicy": `{"redrivePermission":"byQueue"}`}})
	wantCode(t, err, "InvalidParameterValue")
}

// deadLetter fills a DLQ with n messages redriven from src.
func (f *fixture) deadLetter(src, dlq string, n int) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		f.send(src, "m"+strconv.Itoa(i))
	}
	// maxReceiveCount 1: one receive, then the next one moves them.
	got := 0
	for got < n {
		got += len(f.receive(src, 10))
	}
	f.e.Clock.Advance(6 * time.Second)
	equal(f.t, "moved", len(f.receive(src, 10)), 0)
	eventually(f.t, "messages in the DLQ", func() bool { return f.counts(dlq)[0] == strconv.Itoa(n) })
}

func (f *fixture) tasks(dlqArn string, max int32) []types.ListMessageMoveTasksResultEntry {
	f.t.Helper()
	out, err := f.c.ListMessageMoveTasks(f.ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn), MaxResults: aws.Int32(max)})
	if err != nil {
		f.t.Fatalf("ListMessageMoveTasks: %v", err)
	}
	return out.Results
}

func TestMoveTaskBackToSource(t *testing.T) {
	f := start(t)
	src, dlq := f.withDLQ("app", "app-dlq", 1, nil)
	dlqArn := f.arn(dlq)
	f.deadLetter(src, dlq, 12)

	started, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
		MaxNumberOfMessagesPerSecond: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "task completed", func() bool {
		ts := f.tasks(dlqArn, 1)
		return len(ts) == 1 && aws.ToString(ts[0].Status) == "COMPLETED"
	})
	task := f.tasks(dlqArn, 10)[0]
	equal(t, "moved", task.ApproximateNumberOfMessagesMoved, int64(12))
	equal(t, "to move", aws.ToInt64(task.ApproximateNumberOfMessagesToMove), int64(12))
	equal(t, "rate", aws.ToInt32(task.MaxNumberOfMessagesPerSecond), int32(500))
	equal(t, "source arn", aws.ToString(task.SourceArn), dlqArn)
	equal(t, "no handle once done", task.TaskHandle == nil, true)
	if task.StartedTimestamp <= 0 {
		t.Fatalf("StartedTimestamp %d", task.StartedTimestamp)
	}
	equal(t, "dlq empty", f.counts(dlq), [3]string{"0", "0", "0"})
	back := f.receive(src, 10)
	equal(t, "back in the source", len(back)+len(f.receive(src, 10)), 12)
	// A redriven message starts counting receives again.
	equal(t, "fresh count", back[0].Attributes["ApproximateReceiveCount"], "1")
	if _, ok := back[0].Attributes["DeadLetterQueueSourceArn"]; ok {
		t.Fatal("a message back in its source still names a DLQ source")
	}

	// Cancelling a finished task is refused; unknown handles are not found.
	_, err = f.c.CancelMessageMoveTask(f.ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	wantCode(t, err, "AWS.SimpleQueueService.UnsupportedOperation")
	_, err = f.c.CancelMessageMoveTask(f.ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("bm90LWEtdGFzaw==")})
	wantType[*types.ResourceNotFoundException](t, err)
}

func TestMoveTaskToDestinationAndCancel(t *testing.T) {
	f := start(t)
	src, dlq := f.withDLQ("app", "app-dlq", 1, nil)
	dest := f.createQueue("elsewhere", nil)
	dlqArn := f.arn(dlq)
	f.deadLetter(src, dlq, 5)

	// One message a second: the first moves at once, then the task pauses.
	started, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
		DestinationArn: aws.String(f.arn(dest)), MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "first message moved", func() bool { return f.tasks(dlqArn, 1)[0].ApproximateNumberOfMessagesMoved >= 1 })
	running := f.tasks(dlqArn, 1)[0]
	if s := aws.ToString(running.Status); s != "RUNNING" {
		t.Fatalf("status %s", s)
	}
	equal(t, "handle while running", aws.ToString(running.TaskHandle), aws.ToString(started.TaskHandle))
	equal(t, "destination", aws.ToString(running.DestinationArn), f.arn(dest))

	// One active task per source.
	_, err = f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)})
	wantType[*types.UnsupportedOperation](t, err)

	cancelled, err := f.c.CancelMessageMoveTask(f.ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.ApproximateNumberOfMessagesMoved < 1 || cancelled.ApproximateNumberOfMessagesMoved > 5 {
		t.Fatalf("moved at cancel: %d", cancelled.ApproximateNumberOfMessagesMoved)
	}
	eventually(t, "cancelled", func() bool { return aws.ToString(f.tasks(dlqArn, 1)[0].Status) == "CANCELLED" })
	moved := f.tasks(dlqArn, 1)[0].ApproximateNumberOfMessagesMoved
	if moved >= 5 {
		t.Fatalf("cancel did not stop the task (moved %d)", moved)
	}
	equal(t, "in destination", f.counts(dest)[0], strconv.FormatInt(moved, 10))
	equal(t, "left in dlq", f.counts(dlq)[0], strconv.FormatInt(5-moved, 10))

	// A second task finishes the job; the list shows both, newest first.
	f.e.Clock.Advance(time.Second)
	if _, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
		DestinationArn: aws.String(f.arn(dest))}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "second task completed", func() bool { return aws.ToString(f.tasks(dlqArn, 1)[0].Status) == "COMPLETED" })
	list := f.tasks(dlqArn, 10)
	equal(t, "tasks listed", len(list), 2)
	equal(t, "older one", aws.ToString(list[1].Status), "CANCELLED")
	equal(t, "all in destination", f.counts(dest)[0], "5")
}

func TestMoveTaskValidation(t *testing.T) {
	f := start(t)
	plain := f.createQueue("plain", nil)
	_, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(f.arn(plain))})
	wantType[*types.UnsupportedOperation](t, err)
	_, err = f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")})
	wantType[*types.ResourceNotFoundException](t, err)
	_, dlq := f.withDLQ("s", "s-dlq", 3, nil)
	_, err = f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(f.arn(dlq)), MaxNumberOfMessagesPerSecond: aws.Int32(501)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(f.arn(dlq)),
		DestinationArn: aws.String("arn:aws:sqs:us-east-1:000000000000:gone")})
	wantType[*types.ResourceNotFoundException](t, err)
	_, err = f.c.ListMessageMoveTasks(f.ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(f.arn(dlq)), MaxResults: aws.Int32(11)})
	wantCode(t, err, "InvalidParameterValue")
	equal(t, "no tasks", len(f.tasks(f.arn(dlq), 10)), 0)

	// A message sent straight to the DLQ has no source to return to.
	f.send(dlq, "orphan")
	if _, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(f.arn(dlq))}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "failed", func() bool { return aws.ToString(f.tasks(f.arn(dlq), 1)[0].Status) == "FAILED" })
	if aws.ToString(f.tasks(f.arn(dlq), 1)[0].FailureReason) == "" {
		t.Fatal("no failure reason")
	}
	equal(t, "message kept", f.counts(dlq)[0], "1")
}

func TestFifoRedrive(t *testing.T) {
	f := start(t)
	src, dlq := f.withDLQ("f.fifo", "f-dlq.fifo", 1, map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	f.sendFifo(src, "1", "g", "")
	f.sendFifo(src, "2", "g", "")
	equalSlices(t, "first", bodies(f.receive(src, 10)), []string{"1", "2"})
	f.e.Clock.Advance(6 * time.Second)
	// Both exceed maxReceiveCount; they keep their order in the DLQ.
	equal(t, "moved", len(f.receive(src, 10)), 0)
	msgs := f.receive(dlq, 10)
	equalSlices(t, "in the DLQ in order", bodies(msgs), []string{"1", "2"})
	equal(t, "group kept", msgs[0].Attributes["MessageGroupId"], "g")

	// And back, in order, with a move task (once no longer in flight: a
	// task leaves in-flight messages where they are).
	f.e.Clock.Advance(31 * time.Second)
	dlqArn := f.arn(dlq)
	if _, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "task completed", func() bool { return aws.ToString(f.tasks(dlqArn, 1)[0].Status) == "COMPLETED" })
	back := f.receive(src, 10)
	equalSlices(t, "back in order", bodies(back), []string{"1", "2"})
	equal(t, "group kept", back[1].Attributes["MessageGroupId"], "g")
}

func TestDeletingSourceStopsMoveTask(t *testing.T) {
	f := start(t)
	src, dlq := f.withDLQ("app", "app-dlq", 1, nil)
	f.deadLetter(src, dlq, 3)
	dlqArn := f.arn(dlq)
	if _, err := f.c.StartMessageMoveTask(f.ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn),
		MaxNumberOfMessagesPerSecond: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.DeleteQueue(f.ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(dlq)}); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.ListMessageMoveTasks(f.ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqArn)})
	wantType[*types.ResourceNotFoundException](t, err)
	f.createQueue("app-dlq", nil)
	equal(t, "a new queue has no tasks", len(f.tasks(dlqArn, 10)), 0)
}
