package replay

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// recordEvery bounds how long an attempt waits for its manifest: what a
// crash can lose of the attempts' history (never an event, nor a mark).
const recordEvery = 250 * time.Millisecond

// recordBatch is the most attempts one flush writes; the manifests it
// writes are one per consumer and arrival hour of those attempts.
const recordBatch = 500

// recorder writes the attempts that did not end in a mark — failed,
// rejected, or accepted but not marked — to manifests under
// <prefix>_replayed/_manifests/, in batches, so that a failed replay leaves
// a durable trace on its event. An accepted, marked event's attempt is
// recorded in its replayed copy, as before.
type recorder struct {
	attempts chan archive.Attempt
	done     chan struct{}

	mu   sync.Mutex
	errs []error
}

func startRecorder(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, now func() time.Time) *recorder {
	r := &recorder{attempts: make(chan archive.Attempt, recordBatch), done: make(chan struct{})}
	// Records are written after a cancel too: the attempts were made.
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(r.done)
		tick := time.NewTicker(recordEvery)
		defer tick.Stop()
		var batch []archive.Attempt
		flush := func() {
			if len(batch) == 0 {
				return
			}
			fctx, cancel := context.WithTimeout(ctx, markTimeout)
			_, err := archive.WriteAttempts(fctx, s, loc, batch, now())
			cancel()
			if err != nil {
				r.mu.Lock()
				r.errs = append(r.errs, err)
				r.mu.Unlock()
			}
			batch = nil
		}
		for {
			select {
			case a, ok := <-r.attempts:
				if !ok {
					flush()
					return
				}
				batch = append(batch, a)
				if len(batch) == recordBatch {
					flush()
				}
			case <-tick.C:
				flush()
			}
		}
	}()
	return r
}

func (r *recorder) add(a archive.Attempt) { r.attempts <- a }

// finish writes what is left and reports what could not be written.
func (r *recorder) finish() error {
	close(r.attempts)
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
