package replay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// item is one event to handle.
type item struct {
	key string
	// seq is the event's place in the listing, so that a summary can list
	// events in that order whatever order the workers finished in.
	seq int
	// copied: a listing found the event's _replayed/ copy beside it, so a
	// run was cut between writing the copy and deleting the original.
	copied bool
}

// loadedEvent is an event read and ready to send.
type loadedEvent struct {
	res Result
	e   archive.Event
}

// markTimeout bounds the writes and reads that go on after a cancel.
const markTimeout = time.Minute

// list feeds the events to handle and records how many there are.
func (r *run) list(ctx context.Context, items chan<- item) error {
	if len(r.p.Keys) > 0 {
		keys := slices.Clone(r.p.Keys)
		slices.Sort(keys)
		keys = slices.Compact(keys) // the same key twice would be sent twice
		r.setTotal(len(keys))
		for i, k := range keys {
			select {
			case items <- item{key: k, seq: i}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	// One page (an hour) is read ahead, so that the total is known before
	// the last events go out.
	n := 0
	defer func() { r.setTotal(n) }()
	q := r.p.Query
	q.Replayed = false
	pager := archive.List(r.s, r.p.Archive, q)
	page, err := pager.Next(ctx)
	for err == nil && len(page) > 0 {
		var next []archive.Object
		if next, err = pager.Next(ctx); err == nil && len(next) == 0 {
			r.setTotal(n + len(page))
		}
		copies, cerr := r.copiesBeside(ctx, page)
		if cerr != nil {
			return fmt.Errorf("replay: %w", cerr)
		}
		for _, obj := range page {
			select {
			case items <- item{key: obj.Key, seq: n, copied: copies[obj.ID]}:
				n++
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		page = next
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// copiesBeside finds which of the listed events have a _replayed/ copy
// already, listing the copies of each hour the events fall in.
func (r *run) copiesBeside(ctx context.Context, objs []archive.Object) (map[string]bool, error) {
	copies := map[string]bool{}
	if r.o.CopyTo != nil {
		return copies, nil // a copy finishes no marks: it writes nothing in the source
	}
	hours := map[time.Time]bool{}
	for _, obj := range objs {
		h := obj.Arrival.UTC().Truncate(time.Hour)
		if hours[h] {
			continue
		}
		hours[h] = true
		replayed, err := archive.ListHour(ctx, r.s, r.p.Archive, obj.Consumer, h, true)
		if err != nil {
			return nil, err
		}
		for _, c := range replayed {
			copies[c.ID] = true
		}
	}
	return copies, nil
}

// read fetches one event and passes it on to the senders; it finishes a
// mark cut short itself, and in a dry run records what would be sent.
func (r *run) read(ctx context.Context, it item, loaded chan<- loadedEvent) {
	loc := r.p.Archive
	res := Result{Key: it.key, Target: r.p.Target.String(), seq: it.seq}
	parts, replayed, err := archive.ParseKey(loc.Prefix, it.key)
	if err != nil {
		res.Status, res.Detail = Rejected, err.Error()
		r.record(res)
		return
	}
	res.ID, res.PartitionKey = parts.ID, parts.PartitionKey
	copyKey := archive.ReplayedKey(loc.Prefix, it.key)
	finish := func() {
		if r.o.DryRun {
			res.Status, res.Detail, res.Marked = Skipped, "already replayed (a real run deletes the original)", copyKey
			r.record(res)
			return
		}
		r.finishMark(ctx, res, copyKey)
	}
	switch {
	case replayed:
		res.Status, res.Detail, res.Marked = Skipped, "a replayed copy, not a waiting event", it.key
		r.record(res)
		return
	case it.copied && r.o.CopyTo == nil:
		finish()
		return
	}
	e, err := archive.Get(ctx, r.s, loc.Bucket, it.key)
	if errors.Is(err, archive.ErrNotFound) && r.o.CopyTo != nil {
		res.Status, res.Detail = Rejected, "no such archived event"
		r.record(res)
		return
	}
	if errors.Is(err, archive.ErrNotFound) {
		switch ok, err := archive.Exists(ctx, r.s, loc.Bucket, copyKey); {
		case err != nil:
			r.readFailed(res, err)
			return
		case ok:
			res.Status, res.Detail, res.Marked = Skipped, "already replayed", copyKey
		default:
			res.Status, res.Detail = Rejected, "no such archived event"
		}
		r.record(res)
		return
	}
	if err != nil {
		r.readFailed(res, err)
		return
	}
	if len(r.p.Keys) > 0 && r.o.CopyTo == nil {
		// A key given by hand has had no listing look for its copy.
		ok, err := archive.Exists(ctx, r.s, loc.Bucket, copyKey)
		if err != nil {
			r.readFailed(res, err)
			return
		}
		if ok {
			finish()
			return
		}
	}
	if r.o.DryRun {
		if data, err := e.Record.Bytes(); err != nil {
			res.Status, res.Detail = Rejected, err.Error()
		} else {
			res.Status, res.Size = DryRun, len(data)
		}
		r.record(res)
		return
	}
	loaded <- loadedEvent{res: res, e: e}
}

// readFailed records an event that could not be read; credentials that
// no longer work stop the run, since every event after would fail too.
func (r *run) readFailed(res Result, err error) {
	res.Status, res.Detail = Failed, err.Error()
	r.record(res)
	var ce *backend.CredentialsError
	if errors.As(err, &ce) {
		r.stop(ce)
	}
}

// send delivers one event and, once the target accepted it, writes its
// replayed copy. A non-nil error stops the whole run.
func (r *run) send(ctx context.Context, ev loadedEvent) error {
	if r.o.CopyTo != nil {
		return r.sendCopy(ctx, ev)
	}
	res, fatal := r.snd.deliver(ctx, ev.e, r.policy)
	res.Key, res.seq = ev.res.Key, ev.res.seq
	var sendErr error
	if res.Status != Accepted {
		sendErr = fmt.Errorf("%s: %s", res.Status, res.Detail)
	}
	r.s.Audit("replay", r.p.Target.String()+" "+r.p.Archive.Bucket+"/"+res.Key, sendErr)
	at := r.o.Now().UTC()
	if res.Status != Accepted {
		if res.Attempts > 0 { // an attempt that never left (cancelled) is no attempt
			r.records.add(attemptOf(res, at))
		}
		r.record(res)
		return fatal
	}
	// The event has reached the target: mark it even after a cancel, which
	// saves sending it again.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	rep := archive.Replay{At: at, Target: r.p.Target.String(), Result: string(Accepted), Code: res.Code, Tries: res.Attempts}
	copyKey, err := r.writeCopy(mctx, res.Key, ev.e, rep)
	if err != nil {
		res.Detail += "; sent, but not marked replayed: " + err.Error()
		// The event stays waiting, but the target has it: its history
		// says so, so that whoever looks next knows a resend is a repeat.
		r.records.add(attemptOf(res, at))
		r.record(res)
		return fatal
	}
	res.Marked = copyKey
	r.deletes.add(res.Key)
	r.record(res)
	return fatal
}

// markRetries is how many more times the copy of an accepted event is
// written after a failure the SDK's own retries did not get past: every
// event left unmarked is one the next run sends again.
const markRetries = 3

// writeCopy writes an accepted event's replayed copy, retrying with
// backoff what may pass later. Retrying is safe: the write keeps a copy
// that is there already.
func (r *run) writeCopy(ctx context.Context, key string, e archive.Event, rep archive.Replay) (string, error) {
	for attempt := 0; ; attempt++ {
		copyKey, err := archive.WriteReplayedCopy(ctx, r.s, r.p.Archive, key, e, rep)
		var ce *backend.CredentialsError
		if err == nil || attempt == markRetries || errors.As(err, &ce) || errors.Is(err, backend.ErrReadOnly) {
			return copyKey, err
		}
		if backend.Sleep(ctx, fullJitter(DefaultRetryBase, 2*time.Second, attempt)) != nil {
			return "", err
		}
	}
}

// finishMark completes a mark cut short between writing an event's copy
// and deleting its original: it checks that the copy is this event's,
// replayed, and queues the original for deletion.
func (r *run) finishMark(ctx context.Context, res Result, copyKey string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err := archive.CheckReplayedCopy(ctx, r.s, r.p.Archive.Bucket, copyKey, res.ID); err != nil {
		res.Status, res.Detail = Failed, err.Error()
		r.record(res)
		return
	}
	res.Status, res.Detail, res.Marked = Skipped, "already replayed; finished marking it", copyKey
	r.deletes.add(res.Key)
	r.record(res)
}
