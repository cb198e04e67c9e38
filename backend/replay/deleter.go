package replay

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// deleteEvery bounds how long an original whose copy is safe waits for its
// batch; a crash meanwhile only leaves it for the next run to finish.
const deleteEvery = 250 * time.Millisecond

// deleter deletes the originals of marked events in batches (one
// DeleteObjects call for up to 1,000), which costs far less than a call
// per event. Only keys whose replayed copy S3 has confirmed are given to
// it.
type deleter struct {
	keys chan string
	done chan struct{}

	mu   sync.Mutex
	errs []error
}

func startDeleter(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation) *deleter {
	d := &deleter{keys: make(chan string, 1000), done: make(chan struct{})}
	// Deletes go on after a cancel: the copies are safe, and each original
	// deleted now is one the next run need not look at.
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(d.done)
		tick := time.NewTicker(deleteEvery)
		defer tick.Stop()
		var batch []string
		flush := func() {
			if len(batch) == 0 {
				return
			}
			fctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := archive.Delete(fctx, s, loc, batch...)
			cancel()
			if err != nil {
				d.mu.Lock()
				d.errs = append(d.errs, err)
				d.mu.Unlock()
			}
			batch = batch[:0]
		}
		for {
			select {
			case k, ok := <-d.keys:
				if !ok {
					flush()
					return
				}
				batch = append(batch, k)
				if len(batch) == 1000 {
					flush()
				}
			case <-tick.C:
				flush()
			}
		}
	}()
	return d
}

func (d *deleter) add(key string) { d.keys <- key }

// finish deletes what is left and reports what could not be deleted.
func (d *deleter) finish() error {
	close(d.keys)
	<-d.done
	d.mu.Lock()
	defer d.mu.Unlock()
	return errors.Join(d.errs...)
}
