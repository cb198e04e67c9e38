package archive

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
)

// DefaultConcurrency is how many keys MarkMany, DeleteMany and GetMany
// work on at once when ManyOptions does not say: enough to hide S3's
// latency, well inside its per-prefix request rates.
const DefaultConcurrency = 8

// ManyOptions tune the operations on many keys.
type ManyOptions struct {
	// Concurrency is how many keys are in flight at once (default
	// DefaultConcurrency).
	Concurrency int
}

func (o ManyOptions) limit() int {
	if o.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return o.Concurrency
}

// KeyResult is what became of one key.
type KeyResult struct {
	Key string `json:"key"`
	// Replayed is the key of the event's _replayed/ copy (MarkMany).
	Replayed string `json:"replayedKey,omitempty"`
	// Err is why the key was not done; nil when it was.
	Err error `json:"-"`
}

// Results are the results of an operation on many keys, one per key, in
// the order the keys were given (a key given twice is done once).
type Results []KeyResult

// Failed keeps the keys that were not done.
func (rs Results) Failed() Results {
	var out Results
	for _, r := range rs {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// Err is nil when every key was done, else every key's error.
func (rs Results) Err() error {
	var errs []error
	for _, r := range rs {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errors.Join(errs...)
}

// MarkMany marks the events at keys replayed with r, as MarkReplayed does
// each, a bounded number at once. One key's failure never stops or hides
// the others: each key has its result.
func MarkMany(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, keys []string, r Replay, o ManyOptions) Results {
	res := resultsFor(keys)
	if err := s.Guard(fmt.Sprintf("mark %d archived events in %s replayed", len(res), loc)); err != nil {
		return res.failAll(err)
	}
	forEach(ctx, len(res), o.limit(), func(ctx context.Context, i int) {
		res[i].Replayed, res[i].Err = MarkReplayed(ctx, s, loc, res[i].Key, r)
	})
	return res
}

// DeleteMany deletes archived events (waiting ones or replayed copies) by
// key: in batches of up to 1,000 with DeleteObjects, or one by one, a
// bounded number at once, on a store without it. Every key must be an
// event key under loc (another is refused, alone); a key already gone is
// not an error. Each key has its result.
func DeleteMany(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, keys []string, o ManyOptions) Results {
	res := resultsFor(keys)
	if len(res) == 0 {
		return res
	}
	what := fmt.Sprintf("delete %d archived events from %s", len(res), loc)
	if len(res) == 1 {
		what = "delete " + objectURL(loc.Bucket, res[0].Key)
	}
	if err := s.Guard(what); err != nil {
		return res.failAll(err)
	}
	var valid []int
	for i, r := range res {
		if mk, _, ok := SplitManifestEntry(r.Key); ok {
			// Its original is gone already; the manifest records a
			// batch, and goes whole or not at all.
			res[i].Err = fmt.Errorf("delete archived event: %s is an event marked replayed in the manifest %s, which records its whole batch: delete the manifest itself to forget them", r.Key, objectURL(loc.Bucket, mk))
			continue
		}
		if _, _, err := ParseKey(loc.Prefix, r.Key); err != nil {
			res[i].Err = fmt.Errorf("delete archived event: %w", err)
			continue
		}
		valid = append(valid, i)
	}
	deleteIndexed(ctx, s, loc.Bucket, res, valid, o.limit())
	return res
}

// GetMany reads the events at keys in bucket, a bounded number at once:
// the events read, by key, and the error of each key that was not.
func GetMany(ctx context.Context, s *backend.Session, bucket string, keys []string, o ManyOptions) (map[string]Event, map[string]error) {
	res := resultsFor(keys)
	events := make([]Event, len(res))
	// The entries of one manifest are read with one GET of it, not one
	// each.
	var manifestKeys []string
	for _, r := range res {
		if mk, _, ok := SplitManifestEntry(r.Key); ok {
			manifestKeys = append(manifestKeys, mk)
		}
	}
	manifests, manifestErrs := GetManifests(ctx, s, bucket, manifestKeys, o)
	forEach(ctx, len(res), o.limit(), func(ctx context.Context, i int) {
		mk, id, ok := SplitManifestEntry(res[i].Key)
		if !ok {
			events[i], res[i].Err = Get(ctx, s, bucket, res[i].Key)
			return
		}
		if m, read := manifests[mk]; read {
			events[i], res[i].Err = entryOf(m, bucket, mk, id)
		} else {
			res[i].Err = manifestErrs[mk]
		}
	})
	got, errs := make(map[string]Event, len(res)), map[string]error{}
	for i, r := range res {
		if r.Err != nil {
			errs[r.Key] = r.Err
			continue
		}
		got[r.Key] = events[i]
	}
	return got, errs
}

// resultsFor makes one result per distinct key, in order: the same key
// twice at once would race with itself.
func resultsFor(keys []string) Results {
	res := make(Results, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			res = append(res, KeyResult{Key: k})
		}
	}
	return res
}

func (rs Results) failAll(err error) Results {
	for i := range rs {
		rs[i].Err = err
	}
	return rs
}

// forEach runs f(i) for i in [0, n), limit at a time. f records its own
// result, so that no failure cancels the others. Every f runs even after
// ctx is cancelled: it then fails at once with ctx's error, so that no key
// is left looking done.
func forEach(ctx context.Context, n, limit int, f func(ctx context.Context, i int)) {
	var g errgroup.Group
	g.SetLimit(limit)
	for i := range n {
		g.Go(func() error {
			f(ctx, i)
			return nil
		})
	}
	_ = g.Wait() // every f records its own error
}
