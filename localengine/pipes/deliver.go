package pipes

import (
	"context"
	"time"

	"github.com/sluicehq/sluice/localengine/inproc"
)

// DLQ conditions, as Pipes writes them.
const (
	condRetriesExhausted = "RetryAttemptsExhausted"
	condRecordAge        = "RecordAgeExceeded"
)

// dlqAttempts bounds the sends of one DLQ message: a DLQ that cannot take
// it (deleted, say) must not stall the pipe for ever.
const dlqAttempts = 5

// deliver hands a batch to the target until it succeeds, retrying with
// exponential backoff and full jitter; a batch that runs out of retries
// (MaximumRetryAttempts) or of age (MaximumRecordAgeInSeconds, measured on
// its oldest record), whichever comes first, goes to the DLQ and the pipe
// moves on. When the target took a first part of the batch, only the rest
// is retried.
//
// With AUTOMATIC_BISECT, a failing batch of more than one record is not
// retried whole: it is split in halves at once, and each half is
// delivered in turn, first half first, each with a fresh retry budget and
// splitting again when it fails. A poison record thus ends up alone, and
// only it exhausts its retries and reaches the DLQ, while its neighbours
// are delivered in order. Age is checked before every attempt, halves
// included.
//
// deliver returns an error only when ctx ends; the batch then counts as
// not handled and is read again when the pipe resumes.
func (r *runner) deliver(ctx context.Context, shard string, batch []kinRecord) error {
	retries := 0
	for len(batch) > 0 {
		if r.tooOld(batch) {
			return r.deadLetter(ctx, shard, batch, condRecordAge)
		}
		start := time.Now()
		n, throttled, err := r.target.send(ctx, shard, batch)
		r.recordAttempt(len(batch), n, throttled, err, time.Since(start))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.s.log.Info("pipes: target failed", "pipe", r.name, "shard", shard, "records", len(batch),
			"delivered", n, "retry", retries, "error", err)
		batch = batch[min(max(n, 0), len(batch)):]
		if r.bisect && len(batch) > 1 {
			mid := len(batch) / 2
			if err := r.deliver(ctx, shard, batch[:mid]); err != nil {
				return err
			}
			return r.deliver(ctx, shard, batch[mid:])
		}
		if len(batch) == 0 {
			return nil
		}
		if r.maxRetries >= 0 && retries >= r.maxRetries {
			return r.deadLetter(ctx, shard, batch, condRetriesExhausted)
		}
		if !sleep(ctx, r.s.backoff(retries)) {
			return ctx.Err()
		}
		retries++
	}
	return nil
}

func (r *runner) tooOld(batch []kinRecord) bool {
	if r.maxAgeMs < 0 {
		return false
	}
	oldest := batch[0].ArrivalMs
	for i := range batch {
		oldest = min(oldest, batch[i].ArrivalMs)
	}
	return r.s.nowMs()-oldest > r.maxAgeMs
}

// deadLetter sends the batch's metadata to the DLQ, or drops the batch
// when the pipe has none; either way the pipe moves past it.
func (r *runner) deadLetter(ctx context.Context, shard string, batch []kinRecord, condition string) error {
	if r.dlqArn == "" {
		r.s.log.Warn("pipes: batch dropped after failing (no DLQ)", "pipe", r.name, "shard", shard,
			"first", batch[0].Seq, "last", batch[len(batch)-1].Seq, "records", len(batch), "condition", condition)
		return nil
	}
	body := dlqMessage(r.arn, r.streamArn, shard, condition, batch, r.s.cfg.Now())
	region, name, _ := queueARNParts(r.dlqArn)
	in := map[string]any{"QueueUrl": queueURL(name), "MessageBody": string(body)}
	for attempt := 0; ; attempt++ {
		err := inproc.Call(inproc.InRegion(ctx, region), r.s.cfg.SQS, "SendMessage", in, nil)
		if err == nil {
			r.s.log.Info("pipes: batch sent to the DLQ", "pipe", r.name, "shard", shard,
				"first", batch[0].Seq, "last", batch[len(batch)-1].Seq, "condition", condition)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt+1 >= dlqAttempts {
			r.s.log.Error("pipes: DLQ refused the batch; dropped", "pipe", r.name, "dlq", r.dlqArn,
				"first", batch[0].Seq, "last", batch[len(batch)-1].Seq, "error", err)
			return nil
		}
		if !sleep(ctx, r.s.backoff(attempt)) {
			return ctx.Err()
		}
	}
}
