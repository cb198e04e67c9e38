package dlq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/inventory"
)

// Message move task statuses, as ListMessageMoveTasks reports them.
const (
	TaskRunning    = "RUNNING"
	TaskCompleted  = "COMPLETED"
	TaskCancelling = "CANCELLING"
	TaskCancelled  = "CANCELLED"
	TaskFailed     = "FAILED"
)

// MaxRedriveRate is SQS's limit on MaxNumberOfMessagesPerSecond.
const MaxRedriveRate = 500

// MoveTask is a redrive: an SQS message move task out of a DLQ.
type MoveTask struct {
	// Handle is known while the task runs (SQS lists it for RUNNING tasks
	// only) and for the task FollowRedrive follows.
	Handle      string    `json:"handle,omitempty"`
	Status      string    `json:"status"`
	Moved       int64     `json:"moved"`
	ToMove      int64     `json:"toMove"`
	Source      string    `json:"source"`
	Destination string    `json:"destination,omitempty"`
	Rate        int32     `json:"maxPerSecond,omitempty"`
	Started     time.Time `json:"started"`
	Failure     string    `json:"failure,omitempty"`
}

// Done reports whether the task has ended.
func (t MoveTask) Done() bool {
	return t.Status == TaskCompleted || t.Status == TaskCancelled || t.Status == TaskFailed
}

// StartRedrive starts moving every message of the DLQ to destinationARN,
// or back to the queues they came from when it is empty, at most
// maxPerSecond a second (SQS's pace when 0). It returns the task handle.
func StartRedrive(ctx context.Context, s *backend.Session, dlqARN, destinationARN string, maxPerSecond int32) (string, error) {
	name := nameOfARN(dlqARN)
	what := "redrive " + name
	if destinationARN != "" {
		what += " to " + nameOfARN(destinationARN)
	}
	if err := s.Guard(what); err != nil {
		return "", err
	}
	if maxPerSecond < 0 || maxPerSecond > MaxRedriveRate {
		return "", fmt.Errorf("%s: a rate of %d messages a second is outside SQS's 1–%d", what, maxPerSecond, MaxRedriveRate)
	}
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)}
	if destinationARN != "" {
		in.DestinationArn = aws.String(destinationARN)
	}
	if maxPerSecond > 0 {
		in.MaxNumberOfMessagesPerSecond = aws.Int32(maxPerSecond)
	}
	out, err := s.SQS().StartMessageMoveTask(ctx, in)
	s.Audit("dlq redrive", dlqARN+" -> "+destinationOrSources(destinationARN), err)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, explainRedrive(s, name, err))
	}
	// The task moves the messages away: what was browsed is going.
	forgetARN(s, dlqARN)
	return aws.ToString(out.TaskHandle), nil
}

// CheckRedrive makes, before anyone is asked, the check SQS makes when a
// redrive starts: StartMessageMoveTask moves messages only out of a DLQ
// that SQS queues feed (a queue named by some queue's redrive policy). It
// returns the names of those source queues, or says why q cannot be
// redriven and what to do instead: a DLQ of a pipe or a Lambda function
// holds Kinesis failures, which carry no event and are hydrated.
func CheckRedrive(ctx context.Context, s *backend.Session, q Queue) ([]string, error) {
	pager := inventory.SourceQueues(s, q.URL)
	urls, err := pager.Next(ctx)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: %w", q.Name, err)
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("redrive %s: no SQS queue's redrive policy names %s as its DLQ, and an SQS redrive (StartMessageMoveTask) moves messages only out of a DLQ fed by SQS queues. "+
			"If %s holds Kinesis failures from a pipe or a Lambda function, they carry no event: hydrate them into the archive instead (sluice dlq hydrate %s --all, or h/H in the DLQs tab)",
			q.Name, q.Name, q.Name, q.Name)
	}
	names := make([]string, len(urls))
	for i, u := range urls {
		names[i] = NameOfURL(u)
	}
	return names, nil
}

func destinationOrSources(destinationARN string) string {
	if destinationARN == "" {
		return "source queues"
	}
	return destinationARN
}

// explainRedrive turns SQS's refusals into what the operator can do.
func explainRedrive(s *backend.Session, name string, err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return s.Explain(err)
	}
	msg := strings.ToLower(api.ErrorMessage())
	switch {
	case strings.Contains(msg, "dead letter queue") || strings.Contains(msg, "dead-letter queue"):
		return fmt.Errorf("no SQS queue's redrive policy names %s as its DLQ, and only a DLQ fed by SQS queues can be redriven. "+
			"If %s holds Kinesis failures from a pipe or a Lambda function, hydrate them into the archive instead: sluice dlq hydrate %s (SQS said: %s)",
			name, name, name, api.ErrorMessage())
	case strings.Contains(msg, "already a task running"):
		return fmt.Errorf("%s already has a redrive running (SQS allows one per queue): wait for it to end or cancel it", name)
	}
	return s.Explain(err)
}

// MoveTasks lists the DLQ's recent redrives, newest first (SQS keeps the
// last few).
func MoveTasks(ctx context.Context, s *backend.Session, dlqARN string) ([]MoveTask, error) {
	out, err := s.SQS().ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{
		SourceArn: aws.String(dlqARN), MaxResults: aws.Int32(10),
	})
	if err != nil {
		return nil, fmt.Errorf("redrives of %s: %w", nameOfARN(dlqARN), s.Explain(err))
	}
	tasks := make([]MoveTask, 0, len(out.Results))
	for _, r := range out.Results {
		tasks = append(tasks, moveTaskOf(r))
	}
	return tasks, nil
}

func moveTaskOf(r types.ListMessageMoveTasksResultEntry) MoveTask {
	t := MoveTask{
		Handle: aws.ToString(r.TaskHandle), Status: aws.ToString(r.Status),
		Moved: r.ApproximateNumberOfMessagesMoved, ToMove: aws.ToInt64(r.ApproximateNumberOfMessagesToMove),
		Source: aws.ToString(r.SourceArn), Destination: aws.ToString(r.DestinationArn),
		Rate: aws.ToInt32(r.MaxNumberOfMessagesPerSecond), Failure: aws.ToString(r.FailureReason),
	}
	if r.StartedTimestamp > 0 {
		t.Started = time.UnixMilli(r.StartedTimestamp).UTC()
	}
	return t
}

// CancelRedrive stops a running redrive; the messages it moved stay
// moved. It returns how many that was.
func CancelRedrive(ctx context.Context, s *backend.Session, taskHandle string) (int64, error) {
	if err := s.Guard("cancel a redrive"); err != nil {
		return 0, err
	}
	out, err := s.SQS().CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(taskHandle)})
	s.Audit("dlq redrive cancel", taskHandle, err)
	if err != nil {
		return 0, fmt.Errorf("cancel redrive: %w", s.Explain(err))
	}
	return out.ApproximateNumberOfMessagesMoved, nil
}

// FollowRedrive polls the DLQ's redrives every interval (a second when 0)
// and calls report with the followed task each time, until it ends or ctx
// does. It returns the task as it ended.
//
// SQS lists a task's handle only while it runs, so the task is matched by
// handle while it runs and then by its start time; a task that ended
// before the first poll is the newest finished one.
func FollowRedrive(ctx context.Context, s *backend.Session, dlqARN, handle string, every time.Duration, report func(MoveTask)) (MoveTask, error) {
	if every <= 0 {
		every = time.Second
	}
	var started time.Time
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		tasks, err := MoveTasks(ctx, s, dlqARN)
		if err != nil {
			return MoveTask{}, err
		}
		t, ok := followed(tasks, handle, started)
		if !ok {
			return MoveTask{}, fmt.Errorf("follow redrive of %s: SQS no longer lists the task", nameOfARN(dlqARN))
		}
		started = t.Started
		t.Handle = handle
		if report != nil {
			report(t)
		}
		if t.Done() {
			return t, nil
		}
		select {
		case <-ctx.Done():
			return t, fmt.Errorf("follow redrive of %s: %w (the redrive goes on)", nameOfARN(dlqARN), ctx.Err())
		case <-ticker.C:
		}
	}
}

// followed picks the followed task out of a listing.
func followed(tasks []MoveTask, handle string, started time.Time) (MoveTask, bool) {
	for _, t := range tasks {
		if t.Handle == handle {
			return t, true
		}
	}
	for _, t := range tasks {
		if !started.IsZero() && t.Started.Equal(started) {
			return t, true
		}
	}
	if started.IsZero() {
		// Ended before the first poll: one task runs at a time, so the
		// newest finished task is the one just started.
		for _, t := range tasks {
			if t.Done() {
				return t, true
			}
		}
	}
	return MoveTask{}, false
}
