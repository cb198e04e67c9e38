package sqs

import "sort"

// entry is the in-memory index's view of one message: what scheduling
// needs, never the body. The store is the truth; the index is rebuilt from
// the state records on start.
type entry struct {
	seq       uint64
	visibleAt int64 // ms
	rc        int64 // receive count
	firstRecv int64
	sentAt    int64
	enqAt     int64
	group     *group // FIFO queues only
	srcArn    string // in a dead-letter queue, the queue it came from
	hidx      int    // position in the ready or wait heap
	inReady   bool
	aidx      int // position in the age heap
}

func (e *entry) inFlight(now int64) bool { return e.rc > 0 && e.visibleAt > now }
func (e *entry) delayed(now int64) bool  { return e.rc == 0 && e.visibleAt > now }

func (e *entry) groupID() string {
	if e.group != nil {
		return e.group.id
	}
	return ""
}

func (e *entry) state() msgState {
	return msgState{VisibleAt: e.visibleAt, ReceiveCount: e.rc, FirstReceive: e.firstRecv,
		SentAt: e.sentAt, EnqueuedAt: e.enqAt, GroupID: e.groupID(), SourceArn: e.srcArn}
}

// verdict is what a receive decides about a candidate message.
type verdict int

const (
	deliver verdict = iota // visit updated the entry's visibility
	drop                   // the message leaves the queue (expired or redriven)
)

// index orders a queue's messages by availability so that a receive costs
// O(log n) per message, however many are in flight.
type index interface {
	add(e *entry, now int64)
	remove(e *entry, now int64)
	// update re-files e after its visibility changed.
	update(e *entry, now int64)
	// pick offers available messages to visit in delivery order until max
	// are delivered or none is left.
	pick(now int64, max int, visit func(e *entry) verdict)
	// take removes and returns up to n available messages with seq <= maxSeq,
	// in delivery order (message move tasks).
	take(now int64, maxSeq uint64, n int) []*entry
	// oldest is the message enqueued first, or nil.
	oldest() *entry
	// nextWake is the earliest time after now at which a message may become
	// available, or 0.
	nextWake(now int64) int64
	// counts is (visible, in flight, delayed) at now.
	counts(now int64) (visible, inFlight, delayed int)
	get(seq uint64) *entry
	size() int
	each(fn func(e *entry))
}

// countAll classifies every message; O(n).
func countAll(x index, now int64) (visible, inFlight, delayed int) {
	x.each(func(e *entry) {
		switch {
		case e.inFlight(now):
			inFlight++
		case e.delayed(now):
			delayed++
		default:
			visible++
		}
	})
	return visible, inFlight, delayed
}

func newIndex(fifo bool) index {
	if fifo {
		return newFifoIndex()
	}
	return newStdIndex()
}

func newAgeHeap() heapOf[*entry] {
	return heapOf[*entry]{
		less: func(a, b *entry) bool {
			if a.enqAt != b.enqAt {
				return a.enqAt < b.enqAt
			}
			return a.seq < b.seq
		},
		setIdx: func(e *entry, i int) { e.aidx = i },
	}
}

// stdIndex serves standard queues: visible messages by sequence (roughly
// first in, first out), the others by the time they become visible.
type stdIndex struct {
	all   map[uint64]*entry
	ready heapOf[*entry]
	wait  heapOf[*entry]
	age   heapOf[*entry]
	// waitingDelayed counts the wait heap's never-received messages, so
	// that counts is O(1). An entry's rc only changes outside the wait heap.
	waitingDelayed int
}

func newStdIndex() *stdIndex {
	setH := func(e *entry, i int) { e.hidx = i }
	return &stdIndex{
		all:   make(map[uint64]*entry),
		ready: heapOf[*entry]{less: func(a, b *entry) bool { return a.seq < b.seq }, setIdx: setH},
		wait: heapOf[*entry]{less: func(a, b *entry) bool {
			if a.visibleAt != b.visibleAt {
				return a.visibleAt < b.visibleAt
			}
			return a.seq < b.seq
		}, setIdx: setH},
		age: newAgeHeap(),
	}
}

func (x *stdIndex) file(e *entry, now int64) {
	if e.visibleAt <= now {
		e.inReady = true
		x.ready.push(e)
	} else {
		x.pushWait(e)
	}
}

func (x *stdIndex) pushWait(e *entry) {
	e.inReady = false
	x.wait.push(e)
	if e.rc == 0 {
		x.waitingDelayed++
	}
}

func (x *stdIndex) popWait() *entry {
	e := x.wait.pop()
	if e.rc == 0 {
		x.waitingDelayed--
	}
	return e
}

func (x *stdIndex) unfile(e *entry) {
	if e.hidx < 0 {
		return
	}
	if e.inReady {
		x.ready.remove(e.hidx)
		return
	}
	x.wait.remove(e.hidx)
	if e.rc == 0 {
		x.waitingDelayed--
	}
}

func (x *stdIndex) add(e *entry, now int64) {
	x.all[e.seq] = e
	x.age.push(e)
	x.file(e, now)
}

func (x *stdIndex) remove(e *entry, _ int64) {
	if x.all[e.seq] != e {
		return
	}
	delete(x.all, e.seq)
	x.unfile(e)
	x.age.remove(e.aidx)
}

func (x *stdIndex) update(e *entry, now int64) {
	if x.all[e.seq] != e {
		return
	}
	x.unfile(e)
	x.file(e, now)
}

func (x *stdIndex) promote(now int64) {
	for x.wait.len() > 0 && x.wait.top().visibleAt <= now {
		e := x.popWait()
		e.inReady = true
		x.ready.push(e)
	}
}

func (x *stdIndex) pick(now int64, max int, visit func(e *entry) verdict) {
	x.promote(now)
	for n := 0; n < max && x.ready.len() > 0; {
		e := x.ready.top()
		switch visit(e) {
		case deliver:
			x.ready.pop()
			// Into the wait heap even when visible again at once, so that
			// one receive never returns a message twice.
			x.pushWait(e)
			n++
		case drop:
			x.remove(e, now)
		}
	}
}

func (x *stdIndex) take(now int64, maxSeq uint64, n int) []*entry {
	x.promote(now)
	var out []*entry
	for len(out) < n && x.ready.len() > 0 && x.ready.top().seq <= maxSeq {
		e := x.ready.top()
		x.remove(e, now)
		out = append(out, e)
	}
	return out
}

func (x *stdIndex) oldest() *entry {
	if x.age.len() == 0 {
		return nil
	}
	return x.age.top()
}

func (x *stdIndex) nextWake(int64) int64 {
	if x.wait.len() == 0 {
		return 0
	}
	return x.wait.top().visibleAt
}

func (x *stdIndex) counts(now int64) (visible, inFlight, delayed int) {
	x.promote(now)
	return x.ready.len(), x.wait.len() - x.waitingDelayed, x.waitingDelayed
}

func (x *stdIndex) get(seq uint64) *entry { return x.all[seq] }
func (x *stdIndex) size() int             { return len(x.all) }
func (x *stdIndex) each(fn func(e *entry)) {
	for _, e := range x.all {
		fn(e)
	}
}

// group is a FIFO message group: its messages in order, and whether it can
// deliver now (no message in flight, head not delayed).
type group struct {
	id      string
	msgs    []*entry // by seq
	hidx    int
	inReady bool
	wakeAt  int64
}

// fifoScan bounds the scan for in-flight messages: a receive takes at most
// ten messages from a group's head, and the group stays locked until they
// are all deleted or visible again, so in-flight messages are always among
// the first ten.
const fifoScan = 16

// fifoIndex serves FIFO queues: groups ready to deliver by their head's
// sequence, locked or delayed groups by the time they may become ready.
type fifoIndex struct {
	all    map[uint64]*entry
	groups map[string]*group
	ready  heapOf[*group]
	wait   heapOf[*group]
	age    heapOf[*entry]
}

func newFifoIndex() *fifoIndex {
	setH := func(g *group, i int) { g.hidx = i }
	return &fifoIndex{
		all:    make(map[uint64]*entry),
		groups: make(map[string]*group),
		ready:  heapOf[*group]{less: func(a, b *group) bool { return a.msgs[0].seq < b.msgs[0].seq }, setIdx: setH},
		wait: heapOf[*group]{less: func(a, b *group) bool {
			if a.wakeAt != b.wakeAt {
				return a.wakeAt < b.wakeAt
			}
			return a.id < b.id
		}, setIdx: setH},
		age: newAgeHeap(),
	}
}

func (x *fifoIndex) unplace(g *group) {
	if g.hidx < 0 {
		return
	}
	if g.inReady {
		x.ready.remove(g.hidx)
	} else {
		x.wait.remove(g.hidx)
	}
}

// place files g by what it can do at now; an empty group is forgotten.
func (x *fifoIndex) place(g *group, now int64) {
	x.unplace(g)
	if len(g.msgs) == 0 {
		if x.groups[g.id] == g {
			delete(x.groups, g.id)
		}
		return
	}
	var locked int64
	for i := 0; i < len(g.msgs) && i < fifoScan; i++ {
		if e := g.msgs[i]; e.inFlight(now) && e.visibleAt > locked {
			locked = e.visibleAt
		}
	}
	switch {
	case locked > 0:
		g.inReady, g.wakeAt = false, locked
		x.wait.push(g)
	case g.msgs[0].visibleAt > now:
		g.inReady, g.wakeAt = false, g.msgs[0].visibleAt
		x.wait.push(g)
	default:
		g.inReady = true
		x.ready.push(g)
	}
}

func (x *fifoIndex) add(e *entry, now int64) {
	g := e.group
	if cur, ok := x.groups[g.id]; ok {
		g = cur
		e.group = g
	} else {
		g.hidx = -1
		x.groups[g.id] = g
	}
	// Sequences only grow, so appending keeps the group ordered; recovery
	// adds in key order too.
	if n := len(g.msgs); n > 0 && g.msgs[n-1].seq > e.seq {
		i := sort.Search(n, func(i int) bool { return g.msgs[i].seq > e.seq })
		g.msgs = append(g.msgs, nil)
		copy(g.msgs[i+1:], g.msgs[i:])
		g.msgs[i] = e
	} else {
		g.msgs = append(g.msgs, e)
	}
	x.all[e.seq] = e
	x.age.push(e)
	x.place(g, now)
}

func (x *fifoIndex) detach(e *entry) {
	delete(x.all, e.seq)
	x.age.remove(e.aidx)
	g := e.group
	i := sort.Search(len(g.msgs), func(i int) bool { return g.msgs[i].seq >= e.seq })
	if i >= len(g.msgs) || g.msgs[i] != e {
		return
	}
	// Messages mostly leave from the head, so shift the shorter side.
	if i < len(g.msgs)/2 {
		copy(g.msgs[1:i+1], g.msgs[:i])
		g.msgs[0] = nil
		g.msgs = g.msgs[1:]
	} else {
		copy(g.msgs[i:], g.msgs[i+1:])
		g.msgs[len(g.msgs)-1] = nil
		g.msgs = g.msgs[:len(g.msgs)-1]
	}
}

func (x *fifoIndex) remove(e *entry, now int64) {
	if x.all[e.seq] != e {
		return
	}
	x.detach(e)
	x.place(e.group, now)
}

func (x *fifoIndex) update(e *entry, now int64) {
	if x.all[e.seq] != e {
		return
	}
	x.place(e.group, now)
}

func (x *fifoIndex) promote(now int64) {
	for x.wait.len() > 0 && x.wait.top().wakeAt <= now {
		x.place(x.wait.top(), now)
	}
}

func (x *fifoIndex) pick(now int64, max int, visit func(e *entry) verdict) {
	x.promote(now)
	var done []*group
	n := 0
	for n < max && x.ready.len() > 0 {
		g := x.ready.pop()
		done = append(done, g)
		for i := 0; n < max && i < len(g.msgs); {
			e := g.msgs[i]
			if e.visibleAt > now {
				break
			}
			switch visit(e) {
			case deliver:
				n++
				i++
			case drop:
				x.detach(e)
			}
		}
	}
	// Groups are re-filed only now so that one receive never takes a group
	// twice (a zero visibility timeout leaves it ready at once).
	for _, g := range done {
		x.place(g, now)
	}
}

func (x *fifoIndex) take(now int64, maxSeq uint64, n int) []*entry {
	x.promote(now)
	var out []*entry
	var done []*group
	for len(out) < n && x.ready.len() > 0 && x.ready.top().msgs[0].seq <= maxSeq {
		g := x.ready.pop()
		done = append(done, g)
		for len(out) < n && len(g.msgs) > 0 {
			e := g.msgs[0]
			if e.visibleAt > now || e.seq > maxSeq {
				break
			}
			x.detach(e)
			out = append(out, e)
		}
	}
	for _, g := range done {
		x.place(g, now)
	}
	return out
}

func (x *fifoIndex) oldest() *entry {
	if x.age.len() == 0 {
		return nil
	}
	return x.age.top()
}

func (x *fifoIndex) nextWake(int64) int64 {
	if x.wait.len() == 0 {
		return 0
	}
	return x.wait.top().wakeAt
}

// counts walks every message: FIFO in-flight state is per message and
// expires with time, and FIFO queues are small next to standard ones.
func (x *fifoIndex) counts(now int64) (visible, inFlight, delayed int) {
	return countAll(x, now)
}

func (x *fifoIndex) get(seq uint64) *entry { return x.all[seq] }
func (x *fifoIndex) size() int             { return len(x.all) }
func (x *fifoIndex) each(fn func(e *entry)) {
	for _, e := range x.all {
		fn(e)
	}
}
