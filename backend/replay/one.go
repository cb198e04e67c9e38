package replay

import (
	"context"
	"fmt"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// One replays the event at key to target and marks it replayed once the
// target accepted it. An event replayed already is skipped, not sent
// again. The error is nil when the event is done (sent and marked, or
// skipped).
func One(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, key string, target backend.Target) (Result, error) {
	var last Result
	sum, err := Bulk(ctx, s, Plan{Archive: loc, Target: target, Keys: []string{key}},
		Options{Concurrency: 1, Progress: func(p Progress) { last = p.Last }})
	if err != nil {
		return last, err
	}
	if sum.Failed > 0 || !last.Done() {
		if last.ID == "" {
			if p, _, perr := archive.ParseKey(loc.Prefix, key); perr == nil {
				last.ID = p.ID
			}
		}
		return last, fmt.Errorf("replay %s to %s: %s: %s", key, target, last.Status, last.Detail)
	}
	return last, nil
}
