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
	// marked is the key of the event's replayed record (its _replayed/
	// copy, or its entry in a manifest) when a listing found one beside
	// it: a run was cut between marking it and deleting the original.
	marked string
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
	// Pages are listed, and their events' marks looked up, ahead of the
	// readers in a goroutine of their own: listed in turn with the
	// hand-out, each hour's three listings left every reader idle
	// meanwhile. The page after is listed before a page is handed out,
	// so that the total is known before the last events go out.
	pages := make(chan listedPage, pagesAhead)
	var listErr error
	go func() {
		defer close(pages)
		listErr = r.listPages(ctx, pages)
	}()
	n := 0
	defer func() { r.setTotal(n) }()
	for lp := range pages {
		if lp.last {
			r.setTotal(n + len(lp.objs))
		}
		for _, obj := range lp.objs {
			select {
			case items <- item{key: obj.Key, seq: n, marked: lp.marked[obj.ID]}:
				n++
			case <-ctx.Done():
				for range pages { // let the lister see ctx and end
				}
				return ctx.Err()
			}
		}
	}
	return listErr
}

// pagesAhead is how many listed pages wait for the readers.
const pagesAhead = 2

// listedPage is one page of the listing, with the marks found beside its
// events; last says no page follows.
type listedPage struct {
	objs   []archive.Object
	marked map[string]string
	last   bool
}

// listPages lists the query's events page by page into pages.
func (r *run) listPages(ctx context.Context, pages chan<- listedPage) error {
	q := r.p.Query
	q.Replayed = false
	pager := archive.List(r.s, r.p.Archive, q)
	page, err := pager.Next(ctx)
	for err == nil && len(page) > 0 {
		marked, merr := r.markedBeside(ctx, page)
		if merr != nil {
			return fmt.Errorf("replay: %w", merr)
		}
		var next []archive.Object
		if next, err = pager.Next(ctx); err != nil {
			break
		}
		select {
		case pages <- listedPage{objs: page, marked: marked, last: len(next) == 0}:
		case <-ctx.Done():
			return ctx.Err()
		}
		page = next
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// markedBeside finds which of the listed events are marked replayed
// already, listing the replayed records (copies and manifests) of each
// hour the events fall in: the key of each one's record, by id.
func (r *run) markedBeside(ctx context.Context, objs []archive.Object) (map[string]string, error) {
	marked := map[string]string{}
	if r.o.CopyTo != nil {
		return marked, nil // a copy finishes no marks: it writes nothing in the source
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
			marked[c.ID] = c.Key
		}
	}
	return marked, nil
}

// markedKey is the key of the replayed record of the event at key, or ""
// when it has none. The records of an hour are listed once a run: keys
// are handled once each, so what the run marks itself never matters here.
func (r *run) markedKey(ctx context.Context, key string) (string, error) {
	parts, _, err := archive.ParseKey(r.p.Archive.Prefix, key)
	if err != nil {
		return "", err
	}
	hour := parts.Arrival.UTC().Truncate(time.Hour)
	hk := parts.Consumer + "\x00" + hour.Format(time.RFC3339)
	r.markedMu.Lock()
	defer r.markedMu.Unlock()
	ids, ok := r.markedHours[hk]
	if !ok {
		objs, err := archive.ListHour(ctx, r.s, r.p.Archive, parts.Consumer, hour, true)
		if err != nil {
			return "", err
		}
		ids = map[string]string{}
		for _, o := range objs {
			ids[o.ID] = o.Key
		}
		if r.markedHours == nil {
			r.markedHours = map[string]map[string]string{}
		}
		r.markedHours[hk] = ids
	}
	return ids[parts.ID], nil
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
	finish := func(markedKey string) {
		if r.o.DryRun {
			res.Status, res.Detail, res.Marked = Skipped, "already replayed (a real run deletes the original)", markedKey
			r.record(res)
			return
		}
		r.finishMark(ctx, res, markedKey)
	}
	switch {
	case replayed:
		res.Status, res.Detail, res.Marked = Skipped, "a replayed copy, not a waiting event", it.key
		r.record(res)
		return
	case it.marked != "" && r.o.CopyTo == nil:
		finish(it.marked)
		return
	}
	e, err := archive.Get(ctx, r.s, loc.Bucket, it.key)
	if errors.Is(err, archive.ErrNotFound) && r.o.CopyTo != nil {
		res.Status, res.Detail = Rejected, "no such archived event"
		r.record(res)
		return
	}
	if errors.Is(err, archive.ErrNotFound) {
		switch marked, err := r.markedKey(ctx, it.key); {
		case err != nil:
			r.readFailed(res, err)
			return
		case marked != "":
			res.Status, res.Detail, res.Marked = Skipped, "already replayed", marked
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
		// A key given by hand has had no listing look for its record.
		marked, err := r.markedKey(ctx, it.key)
		if err != nil {
			r.readFailed(res, err)
			return
		}
		if marked != "" {
			finish(marked)
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

// sendBatch delivers events (one call where the target batches them) and
// hands each accepted one to the recorder, which marks it once its
// manifest is written. A non-nil error stops the whole run.
func (r *run) sendBatch(ctx context.Context, evs []loadedEvent) error {
	es := make([]archive.Event, len(evs))
	for i := range evs {
		es[i] = evs[i].e
	}
	results, fatal := r.snd.deliverBatch(ctx, es, r.policy)
	at := r.o.Now().UTC()
	for i, res := range results {
		if r.o.CopyTo != nil {
			r.settleCopy(evs[i], res)
			continue
		}
		r.settle(evs[i], res, at)
	}
	return fatal
}

// settle records what became of one sent event. The event has reached
// the target once accepted: it is marked even after a cancel (the
// recorder writes after one), which saves sending it again.
func (r *run) settle(ev loadedEvent, res Result, at time.Time) {
	res.Key, res.seq = ev.res.Key, ev.res.seq
	var sendErr error
	if res.Status != Accepted {
		sendErr = fmt.Errorf("%s: %s", res.Status, res.Detail)
	}
	r.s.Audit("replay", r.p.Target.String()+" "+r.p.Archive.Bucket+"/"+res.Key, sendErr)
	if res.Status != Accepted {
		if res.Attempts > 0 { // an attempt that never left (cancelled) is no attempt
			r.records.add(recordEntry{attempt: attemptOf(res, at)})
		}
		r.record(res)
		return
	}
	a := attemptOf(res, at)
	e := ev.e
	e.Replay = nil
	a.Event = &e
	r.records.add(recordEntry{attempt: a, marked: func(manifestKey string, err error) {
		if err != nil {
			// The event stays waiting, to be sent again by the next run.
			res.Detail += "; sent, but not marked replayed: " + err.Error()
			r.record(res)
			return
		}
		res.Marked = archive.ManifestEntryKey(manifestKey, res.ID)
		r.deletes.add(res.Key)
		r.record(res)
	}})
}

// finishMark completes a mark cut short between recording an event
// replayed and deleting its original: a copy is checked to be this
// event's, replayed (a manifest was checked when it was written and
// listed), and the original is queued for deletion.
func (r *run) finishMark(ctx context.Context, res Result, markedKey string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if _, _, inManifest := archive.SplitManifestEntry(markedKey); !inManifest {
		if err := archive.CheckReplayedCopy(ctx, r.s, r.p.Archive.Bucket, markedKey, res.ID); err != nil {
			res.Status, res.Detail = Failed, err.Error()
			r.record(res)
			return
		}
	}
	res.Status, res.Detail, res.Marked = Skipped, "already replayed; finished marking it", markedKey
	r.deletes.add(res.Key)
	r.record(res)
}
