package replay

import (
	"time"

	"github.com/sluicehq/sluice/backend"
)

// batchLimits is how much one call to a target may carry.
type batchLimits struct {
	// entries is the most events a call takes; 1 for a target that does
	// not batch.
	entries int
	// bytes bounds the sum of the events' sizes as entrySize counts them.
	bytes int
}

// AWS's limits on the calls that batch (each API's reference):
// PutRecords takes 500 records and 5 MiB (data and partition keys);
// SendMessageBatch 10 messages and 256 KiB of bodies and attributes;
// PutEvents 10 entries and 256 KiB (AWS's larger 1 MiB request limit
// is not relied on).
func limitsOf(kind backend.TargetKind) batchLimits {
	switch kind {
	case backend.TargetKinesis:
		return batchLimits{entries: 500, bytes: 5 << 20}
	case backend.TargetSQS, backend.TargetEventBus:
		return batchLimits{entries: 10, bytes: 256 << 10}
	}
	return batchLimits{entries: 1}
}

// entrySize is an upper bound on what one event adds to a call: its data
// (as base64 where the target may carry it so, a third more), its
// partition key, and room for the attributes or envelope fields sluice
// adds.
func entrySize(kind backend.TargetKind, ev loadedEvent) int {
	n := len(ev.e.Record.Data) + len(ev.e.Record.PartitionKey)
	if kind == backend.TargetKinesis {
		return n
	}
	return n*4/3 + 4 + 512
}

// batchLinger is how long a batch that is not full waits for more events
// before it goes, while every sender is busy anyway it keeps filling: a
// few milliseconds fill a batch of 10 at thousands of events a second.
const batchLinger = 5 * time.Millisecond

// batchEvents groups the events from in into batches within lim: a batch
// goes out when it is full, or when a sender is free and it has waited
// batchLinger. out is closed once in is drained.
func batchEvents(kind backend.TargetKind, lim batchLimits, in <-chan loadedEvent, out chan<- []loadedEvent) {
	defer close(out)
	var b []loadedEvent
	size := 0
	var linger <-chan time.Time
	ripe := false
	for {
		var send chan<- []loadedEvent
		if len(b) > 0 && ripe {
			send = out
		}
		select {
		case ev, ok := <-in:
			if !ok {
				if len(b) > 0 {
					out <- b
				}
				return
			}
			sz := entrySize(kind, ev)
			if len(b) > 0 && (len(b) == lim.entries || size+sz > lim.bytes) {
				out <- b
				b, size, ripe, linger = nil, 0, false, nil
			}
			b, size = append(b, ev), size+sz
			if len(b) == 1 {
				linger = time.After(batchLinger)
			}
			if len(b) == lim.entries {
				ripe = true
			}
		case <-linger:
			ripe, linger = true, nil
		case send <- b:
			b, size, ripe, linger = nil, 0, false, nil
		}
	}
}
