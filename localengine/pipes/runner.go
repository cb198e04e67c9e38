package pipes

import (
	"context"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/metrics"
)

// Polling: a shard that is caught up is asked again after idlePoll, as
// AWS's pollers do about once a second; one that answered a full page is
// asked again at once. The manager looks for new shards after a parent
// finishes, and every rescan otherwise.
const (
	idlePoll       = 500 * time.Millisecond
	rescanInterval = 10 * time.Second
	// shardCooldown keeps a shard whose reader failed from being restarted
	// in a tight loop.
	shardCooldown = 2 * time.Second
	// maxManagerWait caps the backoff of a runner that cannot list shards
	// (its stream was deleted, say).
	maxManagerWait = 30 * time.Second
)

// runner moves one pipe's records: a manager that follows the stream's
// shards, and one reader per shard being read.
type runner struct {
	s    *Service
	uid  string
	gen  uint64
	name string
	// region is the pipe's; metrics are reported there.
	region string
	arn    string
	role   string

	streamArn, streamRegion string
	startPosition           string
	startMs                 int64 // AT_TIMESTAMP, or LATEST's origin

	batchSize   int
	window      time.Duration
	maxAgeMs    int64 // <0: unlimited
	maxRetries  int   // <0: unlimited
	bisect      bool
	parallelism int
	dlqArn      string

	target target
	dims   []metrics.Dimension

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newRunner(s *Service, p *pipeRecord) (*runner, error) {
	streamRegion, _, ok := streamARNParts(p.Source)
	if !ok {
		return nil, fmt.Errorf("pipe %s: source %q is not a Kinesis stream", p.Name, p.Source)
	}
	k := p.Kinesis
	r := &runner{
		s: s, uid: p.UID, gen: p.Gen, name: p.Name, region: p.Region, arn: p.arn(), role: p.RoleArn,
		streamArn: p.Source, streamRegion: streamRegion, startPosition: k.StartingPosition,
		batchSize: int(k.BatchSize), window: time.Duration(k.MaximumBatchingWindowInSeconds) * time.Second,
		maxAgeMs: int64(k.MaximumRecordAgeInSeconds) * 1000, maxRetries: int(k.MaximumRetryAttempts),
		bisect: k.OnPartialBatchItemFailure == bisectOnFailure, parallelism: int(k.ParallelizationFactor),
		dlqArn: k.dlqArn(),
		dims:   []metrics.Dimension{{Name: "PipeName", Value: p.Name}},
		done:   make(chan struct{}),
	}
	if r.batchSize < 1 {
		r.batchSize = defaultBatchSize
	}
	if r.parallelism < 1 {
		r.parallelism = 1
	}
	switch k.StartingPosition {
	case posAtTimestamp:
		if k.StartingPositionTimestamp != nil {
			r.startMs = int64(*k.StartingPositionTimestamp)
		}
	case posLatest:
		r.startMs = p.OriginMs
	}
	var err error
	if r.target, err = s.newTarget(p, r); err != nil {
		return nil, err
	}
	r.ctx, r.cancel = s.runnerContext()
	return r, nil
}

// run follows the stream's shards until the runner is cancelled: a shard
// is read once its parents are finished, so that records of one key come
// in order across a reshard.
func (r *runner) run() {
	defer close(r.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	finished := make(chan shardExit)
	active := map[string]bool{}
	cooldown := map[string]time.Time{}
	failures := 0
	for {
		wait := rescanInterval
		if err := r.startShards(&wg, active, cooldown, finished); err != nil {
			if r.ctx.Err() != nil {
				return
			}
			r.s.log.Warn("pipes: cannot follow the source stream", "pipe", r.name, "error", err)
			wait = min(maxManagerWait, backoffCeiling(time.Second, maxManagerWait, failures))
			failures++
		} else {
			failures = 0
		}
		timer := time.NewTimer(wait)
		select {
		case <-r.ctx.Done():
			timer.Stop()
			return
		case ex := <-finished:
			timer.Stop()
			delete(active, ex.shard)
			if !ex.done {
				cooldown[ex.shard] = time.Now().Add(shardCooldown)
			}
		case <-timer.C:
		}
	}
}

// startShards starts a reader for every shard that is ready: not being
// read, not finished, and whose parents are finished or gone.
// shardExit reports that a shard's reader ended: done when the shard was
// read to its end, so its children can start.
type shardExit struct {
	shard string
	done  bool
}

func (r *runner) startShards(wg *sync.WaitGroup, active map[string]bool, cooldown map[string]time.Time, finished chan<- shardExit) error {
	shards, err := r.listShards(r.ctx)
	if err != nil {
		return err
	}
	var ckpts map[string]checkpoint
	err = r.s.store.View(func(tx *bolt.Tx) error {
		var err error
		ckpts, err = loadCheckpoints(tx, r.uid)
		return err
	})
	if err != nil {
		return fmt.Errorf("load checkpoints: %w", err)
	}
	listed := make(map[string]bool, len(shards))
	for _, sh := range shards {
		listed[sh.ShardId] = true
	}
	pending := func(parent *string) bool {
		return parent != nil && listed[*parent] && !ckpts[*parent].Done
	}
	now := time.Now()
	for _, sh := range shards {
		id := sh.ShardId
		if active[id] || ckpts[id].Done || pending(sh.ParentShardId) || pending(sh.AdjacentParentShardId) {
			continue
		}
		if t, ok := cooldown[id]; ok && now.Before(t) {
			continue
		}
		delete(cooldown, id)
		active[id] = true
		w := &shardReader{r: r, shard: id, handled: ckpts[id].Seq}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex := shardExit{shard: id, done: w.run()}
			select {
			case finished <- ex:
			case <-r.ctx.Done():
			}
		}()
	}
	return nil
}
