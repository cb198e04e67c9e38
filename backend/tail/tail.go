package tail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
)

// Tail is a running tail of a stream. Read its batches from Records until
// the channel closes, then look at Err; Close stops it.
type Tail struct {
	session *backend.Session
	kinesis *kinesis.Client
	o       Options
	stream  stream

	ctx    context.Context
	cancel context.CancelFunc
	out    chan Batch
	done   chan struct{}
	wg     sync.WaitGroup
	ring   *ring
	gate   gate

	mu     sync.Mutex
	shards map[string]*shard
	totals Stats // the counters; Shards and Paused are filled by Stats
	err    error
}

// shard is one shard the tail knows of. Its fields are guarded by Tail.mu.
type shard struct {
	stats ShardStats
	// from is where the shard's reader starts.
	from Position
	// closed: the listing showed an ending sequence number, so the shard
	// is read to its end even by a tail that stops when caught up.
	closed bool
	// known: listed when the tail started (rather than met as a child).
	known bool
}

// Start resolves the stream, plans which shards to read, and starts a
// reader for each shard that can be read now (a child waits for its
// parents). The tail runs until ctx ends, Close is called, a read fails, or
// (with UntilCaughtUp) every shard is caught up.
func Start(ctx context.Context, s *backend.Session, o Options) (*Tail, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	c := s.Kinesis()
	st, err := resolveStream(ctx, c, o.Stream)
	if err != nil {
		return nil, fmt.Errorf("tail %s: %w", o.Stream, s.Explain(err))
	}
	t := &Tail{
		session: s, kinesis: c, o: o, stream: st,
		out: make(chan Batch, batchesInFlight), done: make(chan struct{}),
		ring: newRing(o.Buffer), shards: map[string]*shard{},
	}
	if err := t.plan(ctx); err != nil {
		return nil, fmt.Errorf("tail %s: %w", st, s.Explain(err))
	}
	t.ctx, t.cancel = context.WithCancel(ctx)
	t.mu.Lock()
	t.startReady()
	t.mu.Unlock()
	go func() {
		t.wg.Wait()
		t.cancel()
		close(t.out)
		close(t.done)
	}()
	return t, nil
}

// plan lists the shards the tail starts with and where each starts.
func (t *Tail) plan(ctx context.Context) error {
	var filter = shardFilter(t.o.From)
	if len(t.o.Shards) > 0 || bySequence(t.o.From.Kind) {
		filter = nil
	}
	listed, err := listShards(ctx, t.kinesis, t.stream, filter)
	if err != nil {
		return fmt.Errorf("list shards: %w", err)
	}
	byID := map[string]bool{}
	for _, sh := range listed {
		byID[aws.ToString(sh.ShardId)] = true
	}
	want := t.o.Shards
	for _, id := range want {
		if !byID[id] {
			return fmt.Errorf("shard %s: not in the stream (or past its retention)", id)
		}
	}
	if len(want) == 0 && bySequence(t.o.From.Kind) {
		id, err := findSequenceShard(ctx, t.kinesis, t.stream, listed, t.o.From)
		if err != nil {
			return err
		}
		want = []string{id}
	}
	for _, sh := range listed {
		id := aws.ToString(sh.ShardId)
		if len(want) > 0 && !slices.Contains(want, id) {
			continue
		}
		var parents []string
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if aws.ToString(p) != "" {
				parents = append(parents, *p)
			}
		}
		closed := sh.SequenceNumberRange != nil && aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber) != ""
		t.shards[id] = &shard{stats: ShardStats{ID: id, Parents: parents}, from: t.o.From, closed: closed, known: true}
	}
	if len(t.shards) == 0 {
		return fmt.Errorf("no shard to read from %s", t.o.From)
	}
	return nil
}

// startReady starts a reader for every pending shard whose parents have
// been read to their end. Called with t.mu held.
func (t *Tail) startReady() {
	for _, sh := range t.shards {
		if sh.stats.State == Pending && t.ready(sh) {
			sh.stats.State = Reading
			t.wg.Add(1)
			go t.read(sh.stats.ID, sh.from)
		}
	}
}

// ready reports whether sh may be read: each parent the tail reads has
// been read to its end, so that records of a key come in order. A parent
// the tail does not read (a shard not named, or past retention) is not
// waited for. From LATEST, the shards listed at the start are read at once:
// their parents have nothing new to give.
func (t *Tail) ready(sh *shard) bool {
	if sh.known && t.o.From.Kind == Latest {
		return true
	}
	for _, id := range sh.stats.Parents {
		if p := t.shards[id]; p != nil && p.stats.State != Finished {
			return false
		}
	}
	return true
}

// childPosition is where a shard met as a child starts: at its oldest
// record, since it opened after the tail's start position (for a
// timestamp, the timestamp itself says the same thing).
func (t *Tail) childPosition() Position {
	if t.o.From.Kind == AtTimestamp {
		return t.o.From
	}
	return Position{Kind: TrimHorizon}
}

// Records delivers the batches; it is closed when the tail ends.
func (t *Tail) Records() <-chan Batch { return t.out }

// Err is why the tail ended: nil when it was closed, its context ended,
// or every shard was read (UntilCaughtUp). Call it after Records closed.
func (t *Tail) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Close stops the readers and waits for them. Batches not yet received
// are dropped with the channel.
func (t *Tail) Close() {
	t.cancel()
	<-t.done
}

// Done is closed once every reader has stopped.
func (t *Tail) Done() <-chan struct{} { return t.done }

// Pause stops reading (batches already read are still delivered); the
// iterators may expire meanwhile and are renewed on Resume.
func (t *Tail) Pause() { t.gate.pause() }

// Resume reads again after Pause.
func (t *Tail) Resume() { t.gate.resume() }

// Recent returns the last Buffer records handed to the caller, oldest
// first, across shards.
func (t *Tail) Recent() []Record { return t.ring.snapshot() }

// Stream is the stream's name.
func (t *Tail) Stream() string { return t.stream.name }

// StreamARN is the stream's ARN.
func (t *Tail) StreamARN() string { return t.stream.arn }

// fail records the tail's first error and stops every reader.
func (t *Tail) fail(err error) {
	t.mu.Lock()
	if t.err == nil && !errors.Is(err, context.Canceled) {
		t.err = err
	}
	t.mu.Unlock()
	t.cancel()
}
