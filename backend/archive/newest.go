package archive

import (
	"context"
	"iter"

	"github.com/sluicehq/sluice/backend"
)

// Source is one consumer's events in one archive; a listing of several
// consumers merges their sources.
type Source struct {
	Loc      backend.ArchiveLocation
	Consumer string
}

// NewestOptions shape Newest.
type NewestOptions struct {
	// Attempts attaches each event's replay attempts: one listing of its
	// hour's manifests and their reads, never a call per event.
	Attempts bool
	// AttemptsFailed, when set, is told of each hour whose attempts could
	// not be read; that hour's events are listed all the same.
	AttemptsFailed func(error)
}

// Newest walks the sources' events merged newest first, q applying to
// each source (its Consumer is the source's). It yields them in runs: a
// run is every event that can be known to come next before another call
// to S3, so that a caller writes a run and flushes it before it waits.
// The run's slice is reused once yield returns.
//
// It holds one hour of each source at a time, never the listing, so
// that its memory does not grow with the archive: a million events cost
// what their largest hour costs. A failed listing is yielded as the error
// and ends the walk; the runs before it stand.
func Newest(ctx context.Context, s *backend.Session, sources []Source, q Query, o NewestOptions) iter.Seq2[[]Object, error] {
	return func(yield func([]Object, error) bool) {
		pagers := make([]*backend.Pager[Object], len(sources))
		for i, src := range sources {
			sq := q
			sq.Consumer = src.Consumer
			pagers[i] = List(s, src.Loc, sq)
		}
		heads := make([][]Object, len(pagers))
		fill := func(i int) error {
			for len(heads[i]) == 0 && pagers[i].More() {
				page, err := pagers[i].Next(ctx)
				if err != nil {
					return err
				}
				if o.Attempts && len(page) > 0 {
					if err := AttachAttempts(ctx, s, sources[i].Loc, page, ManyOptions{}); err != nil && o.AttemptsFailed != nil {
						o.AttemptsFailed(err)
					}
				}
				heads[i] = page
			}
			return nil
		}
		var run []Object
		for {
			for i := range pagers {
				if err := fill(i); err != nil {
					if len(run) > 0 && !yield(run, nil) {
						return
					}
					yield(nil, err)
					return
				}
			}
			// Take events while every source that has more has its next
			// one in hand: the newest of the heads is then the next event.
			for {
				best := -1
				for i := range heads {
					if len(heads[i]) == 0 {
						if pagers[i].More() {
							best = -2 // this source must be read first
							break
						}
						continue
					}
					if best < 0 || heads[i][0].Arrival.After(heads[best][0].Arrival) {
						best = i
					}
				}
				if best < 0 {
					if len(run) > 0 && !yield(run, nil) {
						return
					}
					run = run[:0]
					if best == -1 {
						return // every source is done
					}
					break
				}
				run = append(run, heads[best][0])
				heads[best] = heads[best][1:]
			}
		}
	}
}
