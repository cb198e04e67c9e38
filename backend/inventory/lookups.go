package inventory

import (
	"context"
)

// lookupRead is one resource's answer, read by its key: a queue's URL or
// ARN, a stream's ARN, an API destination's endpoint. Discovery reads
// them for each pipeline; through the inventory, the several discoveries
// of one session (the Streams tab's DLQ column, the Archives tab, a
// trace) read each once.
type lookupRead struct {
	val string
	err error
}

// lookup kinds: what a key names.
const (
	lookupQueueURL  = "queue URL of "
	lookupQueueARN  = "queue ARN of "
	lookupStreamARN = "stream ARN of "
	lookupAPIDest   = "endpoint of API destination "
)

// lookUp is read's answer for kind and key, through the inventory when
// sh names one. A failure is not kept: the next discovery asks again.
func (sh sharing) lookUp(ctx context.Context, kind, key string, read func(context.Context) (string, error)) (string, error) {
	if sh.inv == nil {
		return read(ctx)
	}
	r, err := sh.inv.lookupCell(kind+key).get(ctx, sh, func(ctx context.Context) (lookupRead, bool) {
		v, err := read(ctx)
		return lookupRead{val: v, err: err}, err == nil
	})
	if err != nil {
		return "", err
	}
	return r.val, r.err
}

func (inv *Inventory) lookupCell(key string) *cell[lookupRead] {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	c := inv.lookups[key]
	if c == nil {
		c = &cell[lookupRead]{}
		inv.lookups[key] = c
	}
	return c
}
