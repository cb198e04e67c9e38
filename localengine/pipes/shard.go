package pipes

import (
	"errors"
	"hash/fnv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
)

const (
	maxGetRecords = 10000
	// maxBatchPayload caps the bytes of events in one batch, as AWS caps
	// a pipe's invocation payload at 6 MB.
	maxBatchPayload = 6 << 20
)

// shardReader reads one shard, hands its records to the target in
// batches, and checkpoints after each round of batches.
type shardReader struct {
	r     *runner
	shard string
	// handled is the checkpoint: the last sequence number fully handled.
	handled string
	// read is the last sequence number read, which may be ahead of handled
	// while a batching window gathers records.
	read string
}

// run reads the shard until it is finished (true), or the runner stops or
// the shard cannot be read (false).
func (w *shardReader) run() bool {
	r := w.r
	ctx := r.ctx
	w.read = w.handled
	var (
		iter     string
		buf      []kinRecord
		bufBytes int
		bufSince time.Time
		failures int
	)
	retry := func() bool {
		d := backoffCeiling(r.s.cfg.RetryBase, maxManagerWait, failures)
		failures++
		return sleep(ctx, r.s.jitter(d))
	}
	roundRecords := r.parallelism * r.batchSize
	roundBytes := r.parallelism * maxBatchPayload
	for ctx.Err() == nil {
		if iter == "" {
			it, ok, err := r.shardIterator(ctx, w.shard, w.read)
			switch {
			case err != nil && errorCode(err) == "ResourceNotFoundException":
				r.s.log.Warn("pipes: shard is gone", "pipe", r.name, "shard", w.shard, "error", err)
				return false
			case err != nil:
				if ctx.Err() == nil {
					r.s.log.Warn("pipes: cannot read shard", "pipe", r.name, "shard", w.shard, "error", err)
				}
				if !retry() {
					return false
				}
				continue
			case !ok: // the starting timestamp is still ahead
				if !sleep(ctx, idlePoll) {
					return false
				}
				continue
			}
			iter = it
		}
		limit := min(maxGetRecords, roundRecords-len(buf))
		page, err := r.getRecords(ctx, iter, limit)
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			switch errorCode(err) {
			case "ExpiredIteratorException":
				iter = ""
				continue
			case "ResourceNotFoundException":
				return false
			case "ProvisionedThroughputExceededException":
			default:
				r.s.log.Warn("pipes: GetRecords failed", "pipe", r.name, "shard", w.shard, "error", err)
				iter = ""
			}
			if !retry() {
				return false
			}
			continue
		}
		failures = 0
		if len(page.records) > 0 {
			if len(buf) == 0 {
				bufSince = time.Now()
			}
			for i := range page.records {
				bufBytes += len(page.records[i].Data) + len(page.records[i].PartitionKey)
			}
			buf = append(buf, page.records...)
			w.read = buf[len(buf)-1].Seq
		}
		closed := page.next == ""
		full := len(buf) >= roundRecords || bufBytes >= roundBytes
		if len(buf) > 0 && (full || closed || r.window == 0 || time.Since(bufSince) >= r.window) {
			if !w.handle(buf) {
				return false
			}
			buf, bufBytes = nil, 0
		}
		if closed {
			// The shard was split or merged and is read to its end.
			return w.save(checkpoint{Seq: w.read, Done: true})
		}
		iter = page.next
		if len(page.records) == limit || page.behindMs > 0 && len(page.records) > 0 {
			continue // more is waiting
		}
		wait := idlePoll
		if len(buf) > 0 {
			wait = min(wait, max(0, r.window-time.Since(bufSince)))
		}
		if !sleep(ctx, wait) {
			return false
		}
	}
	return false
}

// handle delivers a round of records and checkpoints after it. With a
// parallelization factor above 1 the round is split by partition key into
// lanes that are delivered concurrently, each in order; the checkpoint
// moves once every lane is through, so nothing is ever skipped.
func (w *shardReader) handle(recs []kinRecord) bool {
	r := w.r
	lanes := splitLanes(recs, r.parallelism)
	if len(lanes) == 1 {
		if r.deliverLane(w.shard, lanes[0]) != nil {
			return false
		}
	} else {
		var wg sync.WaitGroup
		errs := make([]error, len(lanes))
		for i, lane := range lanes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = r.deliverLane(w.shard, lane)
			}()
		}
		wg.Wait()
		if errors.Join(errs...) != nil {
			return false
		}
	}
	return w.save(checkpoint{Seq: recs[len(recs)-1].Seq})
}

// save stores the shard's checkpoint durably.
func (w *shardReader) save(c checkpoint) bool {
	r := w.r
	err := r.s.store.Update(func(tx *bolt.Tx) error {
		return saveCheckpoint(tx, r.region, r.name, r.uid, w.shard, c)
	})
	switch {
	case err == nil:
		w.handled = c.Seq
		return true
	case errors.Is(err, errPipeGone), errors.Is(err, store.ErrClosed):
	default:
		r.s.log.Error("pipes: cannot save checkpoint", "pipe", r.name, "shard", w.shard, "error", err)
	}
	return false
}

// splitLanes splits records by the hash of their partition key into at
// most n lanes, keeping each lane in shard order.
func splitLanes(recs []kinRecord, n int) [][]kinRecord {
	if n <= 1 {
		return [][]kinRecord{recs}
	}
	byLane := make([][]kinRecord, n)
	for _, rec := range recs {
		h := fnv.New32a()
		_, _ = h.Write([]byte(rec.PartitionKey))
		i := int(h.Sum32() % uint32(n))
		byLane[i] = append(byLane[i], rec)
	}
	out := byLane[:0]
	for _, l := range byLane {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// deliverLane cuts a lane into batches of at most BatchSize records and
// maxBatchPayload bytes and delivers them one after the other. It fails
// only when the runner stops.
func (r *runner) deliverLane(shard string, lane []kinRecord) error {
	for len(lane) > 0 {
		n, size := 0, 0
		for n < len(lane) && n < r.batchSize {
			ev := r.event(shard, &lane[n])
			if n > 0 && size+len(ev)+1 > maxBatchPayload {
				break
			}
			size += len(ev) + 1
			n++
		}
		if err := r.deliver(r.ctx, shard, lane[:n]); err != nil {
			return err
		}
		lane = lane[n:]
	}
	return nil
}
