package replay

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// recordEvery bounds how long an attempt waits for its manifest.
const recordEvery = 250 * time.Millisecond

// DefaultMarkBatch is the most attempts not yet in a written manifest;
// each write holds half of it (one manifest per consumer and arrival
// hour of those attempts).
const DefaultMarkBatch = 500

// recorder writes every attempt that reached a target to manifests under
// <prefix>_replayed/_manifests/, in batches: failed and rejected ones, so
// that they leave a durable trace on their event, and accepted ones with
// their event, which marks the event replayed (archive/marks.go). An
// accepted event's original is deleted only once its manifest is written.
//
// The batches are half of batchSize: one is written while the next
// fills, and handing an attempt over waits only when that one is full
// too, so that at most batchSize accepted events are ever not yet
// written (with the events in flight, what a crash can make a target see
// twice), while the senders go on during a write instead of all waiting
// for it.
type recorder struct {
	entries chan recordEntry
	done    chan struct{}

	mu   sync.Mutex
	errs []error
}

// recordEntry is one attempt to record; marked, for an accepted attempt
// holding its event, is told the key of the manifest that marks the event,
// or why none could be written.
type recordEntry struct {
	attempt archive.Attempt
	marked  func(manifestKey string, err error)
}

func startRecorder(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, now func() time.Time, batchSize int) *recorder {
	r := &recorder{entries: make(chan recordEntry), done: make(chan struct{})}
	// Records are written after a cancel too: the attempts were made, and
	// an accepted event marked now is one the next run need not send.
	ctx = context.WithoutCancel(ctx)
	// A batch of one cannot be halved: it is written before the next
	// attempt is taken.
	half, pipelined := max(batchSize/2, 1), batchSize >= 2
	writes := make(chan []recordEntry)
	go func() {
		for b := range writes {
			r.write(ctx, s, loc, now, b)
		}
		close(r.done)
	}()
	go func() {
		defer close(writes)
		tick := time.NewTicker(recordEvery)
		defer tick.Stop()
		var batch []recordEntry
		flush := func() {
			if len(batch) == 0 {
				return
			}
			if pipelined {
				writes <- batch
			} else {
				r.write(ctx, s, loc, now, batch)
			}
			batch = nil
		}
		for {
			select {
			case e, ok := <-r.entries:
				if !ok {
					flush()
					return
				}
				batch = append(batch, e)
				if len(batch) >= half {
					flush()
				}
			case <-tick.C:
				flush()
			}
		}
	}()
	return r
}

const markRetries = 3

// write writes the batch's manifests, trying again what may pass later;
// only the attempts of manifests not yet written are written again.
func (r *recorder) write(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, now func() time.Time, batch []recordEntry) {
	left := batch
	var err error
	for try := 0; len(left) > 0; try++ {
		attempts := make([]archive.Attempt, len(left))
		for i, e := range left {
			attempts[i] = e.attempt
		}
		wctx, cancel := context.WithTimeout(ctx, markTimeout)
		var written []archive.WrittenManifest
		written, err = archive.WriteManifests(wctx, s, loc, attempts, now())
		cancel()
		left = r.settle(left, written)
		var ce *backend.CredentialsError
		if err == nil || try == markRetries || errors.As(err, &ce) || errors.Is(err, backend.ErrReadOnly) {
			break
		}
		if backend.Sleep(ctx, fullJitter(DefaultRetryBase, 2*time.Second, try)) != nil {
			break
		}
	}
	if len(left) == 0 {
		return
	}
	for _, e := range left {
		if e.marked != nil {
			e.marked("", err)
		}
	}
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

// settle tells the entries whose manifest was written, and returns the
// others.
func (r *recorder) settle(entries []recordEntry, written []archive.WrittenManifest) []recordEntry {
	if len(written) == 0 {
		return entries
	}
	// An event's attempt is in a batch once: the key names it.
	in := map[string]string{}
	for _, w := range written {
		for _, a := range w.Attempts {
			in[a.Key] = w.Key
		}
	}
	var left []recordEntry
	for _, e := range entries {
		mk, ok := in[e.attempt.Key]
		if !ok {
			left = append(left, e)
			continue
		}
		if e.marked != nil {
			e.marked(mk, nil)
		}
	}
	return left
}

func (r *recorder) add(e recordEntry) { r.entries <- e }

// finish writes what is left and reports what could not be written.
func (r *recorder) finish() error {
	close(r.entries)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// attemptOf is the record of the attempt res made at at.
func attemptOf(res Result, at time.Time) archive.Attempt {
	return archive.Attempt{ID: res.ID, Key: res.Key, At: at.UTC(), Target: res.Target, Status: string(res.Status),
		Code: res.Code, Detail: res.Detail, Tries: res.Attempts}
}
