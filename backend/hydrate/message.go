package hydrate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// Message hydrates one message the caller received: it archives every
// record the failure points at, reads each object back, and then deletes
// the message. A message it does not finish is released at once (visible
// again) and stays in the queue; the error is set for a Failed outcome.
func Message(ctx context.Context, s *backend.Session, o Options, msg Received) (Result, error) {
	o = o.withDefaults(msg.QueueURL)
	run, stop := startRun(o)
	defer stop()
	r := hydrate(ctx, s, o, run, msg)
	if r.Outcome != Hydrated {
		if err := changeVisibility(ctx, s, msg, 0); err != nil && r.Err == nil {
			r.Err = err
		}
	}
	return r, r.Err
}

// hydrate does Message's work but leaves the visibility of a message it
// does not finish to the caller.
func hydrate(ctx context.Context, s *backend.Session, o Options, run *shared, msg Received) Result {
	r, ready := archiveMessage(ctx, s, o, run, msg)
	if !ready {
		return r
	}
	_, err := s.SQS().DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(msg.QueueURL), ReceiptHandle: aws.String(msg.ReceiptHandle)})
	return deleted(s, o, msg, r, err)
}

// deleted finishes the result of a message whose events are all archived
// once its delete was answered (err nil when it was deleted).
func deleted(s *backend.Session, o Options, msg Received, r Result, err error) Result {
	s.Audit("dlq delete hydrated message", o.DLQ+"/"+msg.ID, err)
	if err != nil {
		r.Outcome, r.Err = Failed, fmt.Errorf("hydrate %s: %d events archived, but the message could not be deleted: %w", msg.ID, r.Events, s.Explain(err))
		r.Reason = r.Err.Error()
		return r
	}
	// A kept browse of the queue no longer shows it.
	dlq.Forget(s, msg.QueueURL, msg.ID)
	r.Outcome = Hydrated
	return r
}

// archiveMessage archives every record msg's failure points at; ready is
// true when all are safely written and the message can be deleted, else
// the Result says why not.
func archiveMessage(ctx context.Context, s *backend.Session, o Options, run *shared, msg Received) (res Result, ready bool) {
	r := Result{MessageID: msg.ID}
	fail := func(err error) (Result, bool) {
		r.Outcome, r.Err = Failed, fmt.Errorf("hydrate %s: %w", msg.ID, err)
		r.Reason = r.Err.Error()
		return r, false
	}
	leave := func(reason string) (Result, bool) {
		r.Outcome, r.Reason = Left, reason
		return r, false
	}
	if err := s.Guard("hydrate " + msg.ID); err != nil {
		return fail(err)
	}
	if !o.Archive.IsSet() {
		return fail(errNoArchive)
	}
	f, err := dlq.ParseFailure(msg.Body)
	if err != nil {
		return leave(fmt.Sprintf("%s is a malformed Kinesis failure (%v): left in the DLQ", msg.ID, err))
	}
	if f == nil {
		r.Outcome, r.Reason = Skipped, "not a Kinesis failure: redrive it instead"
		return r, false
	}
	r.Failure = f
	if f.Consumer == "" {
		return leave(fmt.Sprintf("%s names no pipe or function (%q), so its events have no archive key: left in the DLQ", msg.ID, f.ConsumerARN))
	}

	sp, err := readRange(ctx, s, run.reads, f.Batch)
	if err != nil {
		return fail(err)
	}
	r.Records = len(sp.records)
	keys, err := archiveAll(ctx, s, o, run.writers, msg, f, sp.records)
	for _, k := range keys {
		if k != "" {
			r.Keys = append(r.Keys, k)
		}
	}
	r.Events = len(r.Keys)
	if err != nil {
		return fail(err)
	}
	if sp.gone != "" {
		detail := sp.gone
		if h := retentionHours(ctx, s, f.Batch.StreamARN); h > 0 {
			detail = fmt.Sprintf("retention %d h; %s", h, sp.gone)
		}
		if len(sp.records) > 0 {
			detail += fmt.Sprintf("; the %d records still there are archived", len(sp.records))
		}
		return leave(fmt.Sprintf("records of %s are past the stream's retention (%s): left in the DLQ", msg.ID, detail))
	}
	if sp.short != "" {
		return leave(fmt.Sprintf("only %d records of %s could be read (%s; the %d found are archived): left in the DLQ", len(sp.records), msg.ID, sp.short, len(sp.records)))
	}

	return r, true
}

// changeVisibility hides msg for d, or releases it when d is 0. It runs
// even when ctx has ended, so that Ctrl-C still hands messages back.
func changeVisibility(ctx context.Context, s *backend.Session, msg Received, d int32) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	_, err := s.SQS().ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(msg.QueueURL), ReceiptHandle: aws.String(msg.ReceiptHandle), VisibilityTimeout: d,
	})
	if err != nil {
		return fmt.Errorf("release %s: %w", msg.ID, s.Explain(err))
	}
	return nil
}
