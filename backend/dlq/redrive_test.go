package dlq_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// fillDLQ sends n messages to a source queue whose redrive policy allows
// one receive, and receives them until SQS has moved them all to the DLQ.
func fillDLQ(t *testing.T, e *enginetest.Engine, srcURL, dlqURL string, n int) {
	t.Helper()
	// A receive cannot ask for a zero visibility timeout (the SDK leaves
	// zeros out); the queue's own can be zero.
	if _, err := e.SQS().SetQueueAttributes(testCtx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(srcURL),
		Attributes: map[string]string{"VisibilityTimeout": "0"}}); err != nil {
		t.Fatal(err)
	}
	send(t, e, srcURL, numbered(n))
	waitFor(t, "the messages to reach the DLQ", time.Minute, func() bool {
		if _, err := e.SQS().ReceiveMessage(testCtx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(srcURL),
			MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
		v, _ := count(t, e, dlqURL)
		return v == n
	})
}

// TestRedriveBackToTheSource moves a DLQ fed by an SQS queue back to it
// and follows the task to COMPLETED.
func TestRedriveBackToTheSource(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "jobs-dlq", nil)
	srcURL, srcARN := createQueue(t, e, "jobs", redrivePolicy(dlqARN, 1))
	fillDLQ(t, e, srcURL, dlqURL, 20)

	res, err := dlq.Browse(testCtx(t), s, dlqURL, dlq.BrowseOptions{})
	if err != nil || len(res.Messages) != 20 || res.Messages[0].SourceQueueARN() != srcARN || !res.Messages[0].IsPayload() {
		t.Fatalf("%v: %d messages, first %+v", err, len(res.Messages), res.Messages[0])
	}
	handle, err := dlq.StartRedrive(testCtx(t), s, dlqARN, "", 100)
	if err != nil || handle == "" {
		t.Fatalf("start: %q %v", handle, err)
	}
	var reports []dlq.MoveTask
	task, err := dlq.FollowRedrive(testCtx(t), s, dlqARN, handle, 10*time.Millisecond, func(m dlq.MoveTask) { reports = append(reports, m) })
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != dlq.TaskCompleted || task.Moved != 20 || task.ToMove != 20 || task.Source != dlqARN ||
		task.Handle != handle || task.Rate != 100 || task.Started.IsZero() {
		t.Fatalf("task %+v", task)
	}
	if len(reports) == 0 || reports[len(reports)-1] != task {
		t.Fatalf("reports %+v", reports)
	}
	if v, _ := count(t, e, dlqURL); v != 0 {
		t.Fatalf("%d messages left in the DLQ", v)
	}
	if got := receiveAll(t, e, srcURL); len(got) != 20 {
		t.Fatalf("%d messages back in jobs, want 20", len(got))
	}
	tasks, err := dlq.MoveTasks(testCtx(t), s, dlqARN)
	if err != nil || len(tasks) != 1 || tasks[0].Status != dlq.TaskCompleted || tasks[0].Moved != 20 {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
}

func TestRedriveToAnotherQueue(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "mail-dlq", nil)
	srcURL, _ := createQueue(t, e, "mail", redrivePolicy(dlqARN, 1))
	retryURL, retryARN := createQueue(t, e, "mail-retry", nil)
	fillDLQ(t, e, srcURL, dlqURL, 7)
	handle, err := dlq.StartRedrive(testCtx(t), s, dlqARN, retryARN, 0)
	if err != nil {
		t.Fatal(err)
	}
	task, err := dlq.FollowRedrive(testCtx(t), s, dlqARN, handle, 10*time.Millisecond, nil)
	if err != nil || task.Status != dlq.TaskCompleted || task.Moved != 7 || task.Destination != retryARN {
		t.Fatalf("task %+v %v", task, err)
	}
	if got := receiveAll(t, e, retryURL); len(got) != 7 {
		t.Fatalf("%d messages in mail-retry, want 7", len(got))
	}
}

func TestCancelRedrive(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "slow-dlq", nil)
	srcURL, _ := createQueue(t, e, "slow", redrivePolicy(dlqARN, 1))
	fillDLQ(t, e, srcURL, dlqURL, 30)
	// One message a second: 30 s of work, cancelled at once.
	handle, err := dlq.StartRedrive(testCtx(t), s, dlqARN, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dlq.CancelRedrive(testCtx(t), s, handle); err != nil {
		t.Fatal(err)
	}
	task, err := dlq.FollowRedrive(testCtx(t), s, dlqARN, handle, 10*time.Millisecond, nil)
	if err != nil || task.Status != dlq.TaskCancelled || task.Moved >= 30 {
		t.Fatalf("task %+v %v", task, err)
	}
	if v, _ := count(t, e, dlqURL); int64(v) != 30-task.Moved {
		t.Fatalf("%d messages left in the DLQ after moving %d", v, task.Moved)
	}
}

// TestRedriveOfAPipeDLQPointsToHydrate: a DLQ no SQS queue feeds cannot
// be redriven, and the error says what to do instead.
func TestRedriveOfAPipeDLQPointsToHydrate(t *testing.T) {
	s, e := backendtest.Open(t)
	_, dlqARN := createQueue(t, e, "stream-dlq", nil)
	_, err := dlq.StartRedrive(testCtx(t), s, dlqARN, "", 0)
	if err == nil || !strings.Contains(err.Error(), "only a DLQ fed by SQS queues can be redriven") ||
		!strings.Contains(err.Error(), "sluice dlq hydrate stream-dlq") {
		t.Fatalf("err %v", err)
	}
}

func TestFollowRedriveStopsWithItsContext(t *testing.T) {
	s, e := backendtest.Open(t)
	dlqURL, dlqARN := createQueue(t, e, "long-dlq", nil)
	srcURL, _ := createQueue(t, e, "long", redrivePolicy(dlqARN, 1))
	fillDLQ(t, e, srcURL, dlqURL, 30)
	handle, err := dlq.StartRedrive(testCtx(t), s, dlqARN, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	task, err := dlq.FollowRedrive(ctx, s, dlqARN, handle, 10*time.Millisecond, func(dlq.MoveTask) { cancel() })
	if err == nil || !strings.Contains(err.Error(), "the redrive goes on") || task.Status != dlq.TaskRunning {
		t.Fatalf("task %+v %v", task, err)
	}
	if _, err := dlq.CancelRedrive(testCtx(t), s, handle); err != nil {
		t.Fatal(err)
	}
}
