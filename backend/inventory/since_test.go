package inventory_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// fixedClock is a clock that does not move: MaxAge never runs out, so
// that what a test sees read again is SharedSince's doing alone.
func fixedClock() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// archiveConsumers are the names ArchiveConsumers listed, or what
// failed.
func archiveConsumers(l *inventory.Locator) ([]string, error) {
	found, err := l.ArchiveConsumers(context.Background(), backend.ArchiveLocation{})
	if err == nil && len(found.Failures) > 0 {
		err = found.Failures.Err()
	}
	var names []string
	for _, c := range found.Consumers {
		names = append(names, c.Name)
	}
	return names, err
}

// consumerNames is archiveConsumers, on the test's goroutine.
func consumerNames(t *testing.T, l *inventory.Locator) []string {
	t.Helper()
	names, err := archiveConsumers(l)
	if err != nil {
		t.Fatalf("archive consumers: %v", err)
	}
	return names
}

// TestTabsAtStartDiscoverOnce: at the TUI's start the DLQs tab's
// listing, the Streams tab's DLQ column and the Archives tab's
// consumers are asked for at once, the Archives tab with the Instant
// it was asked at. They make one discovery between them.
func TestTabsAtStartDiscoverOnce(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	inv := inventory.New(s, fixedClock)
	ctx := context.Background()
	asked := inv.Now() // the Archives tab's Init

	var wg sync.WaitGroup
	var list inventory.DLQList
	var depths inventory.DLQDepths
	var consumers []string
	wg.Go(func() { list = inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv)) })
	wg.Go(func() {
		var err error
		if depths, err = inventory.StreamDLQDepths(ctx, s, nil, "", inventory.Shared(inv)); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		var err error
		if consumers, err = archiveConsumers(inventory.NewLocator(s, nil, "", inventory.SharedSince(inv, asked))); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()

	if len(list.DLQs) == 0 || len(depths.ByStream) == 0 || !slices.Contains(consumers, demo.PipeName) {
		t.Fatalf("shared listings lost answers: DLQs %+v, depths %+v, consumers %v", list, depths, consumers)
	}
	// What discovery resolves for the pipeline (its DLQ's URL, its API
	// destination's endpoint) too: the two discoveries share it.
	for _, op := range []string{"ListPipes", "DescribePipe", "ListEventSourceMappings", "GetQueueUrl", "DescribeApiDestination"} {
		if n := countOp(calls, op); n != 1 {
			t.Errorf("%s called %d times by three listings at once, want 1", op, n)
		}
	}
	tags := 0
	for _, c := range calls.Calls() {
		if c.Operation == "ListQueueTags" && c.Resource == d.DLQURL {
			tags++
		}
	}
	if tags != 1 {
		t.Errorf("the DLQ's tags were read %d times, want 1", tags)
	}
}

// TestSharedSinceSeesAPipeCreatedAfterASharedRead: the demo end-to-end
// test created a pipe, then opened the Archives tab, which showed the
// account as the other tabs had read it before. A listing asked for
// after the change, with the Instant it was asked at, reads again; the
// same listing with plain Shared is answered by the older read.
func TestSharedSinceSeesAPipeCreatedAfterASharedRead(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	inv := inventory.New(s, fixedClock)
	ctx := context.Background()
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv)) // the other tabs, at start

	inventorytest.Pipe(t, e, "late-pipe", d.StreamARN, d.DestARN, "", map[string]string{demo.ArchiveTag: demo.ArchiveURL + "/late/"})
	if got := consumerNames(t, inventory.NewLocator(s, nil, "", inventory.Shared(inv))); slices.Contains(got, "late-pipe") {
		t.Fatalf("plain Shared read the pipes again (%v): nothing here tells SharedSince's doing apart", got)
	}
	if n := countOp(calls, "ListPipes"); n != 1 {
		t.Fatalf("ListPipes %d times before the tab was opened, want 1", n)
	}

	opened := inv.Now()
	if got := consumerNames(t, inventory.NewLocator(s, nil, "", inventory.SharedSince(inv, opened))); !slices.Contains(got, "late-pipe") {
		t.Fatalf("a tab opened after the pipe was created lists %v, without late-pipe", got)
	}
	if n := countOp(calls, "ListPipes"); n != 2 {
		t.Fatalf("ListPipes %d times in all, want 2", n)
	}
	// The newer read is now everyone's answer, and the same tab asking
	// again with the same Instant (a second load for one request) reads
	// nothing more.
	if got := consumerNames(t, inventory.NewLocator(s, nil, "", inventory.Shared(inv))); !slices.Contains(got, "late-pipe") {
		t.Fatalf("plain Shared after the newer read lists %v, without late-pipe", got)
	}
	consumerNames(t, inventory.NewLocator(s, nil, "", inventory.SharedSince(inv, opened)))
	if n := countOp(calls, "ListPipes"); n != 2 {
		t.Fatalf("ListPipes %d times in all after reads the newer one serves, want 2", n)
	}
}

// gate holds the first ListPipes request until released, so that a test
// has a read in flight for as long as it needs: the engine still answers
// it, afterwards.
type gate struct {
	base     *http.Client
	once     sync.Once
	held     chan struct{}
	released chan struct{}
}

func newGate() *gate {
	return &gate{base: enginetest.HTTPClient(), held: make(chan struct{}), released: make(chan struct{})}
}

func (g *gate) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Path == "/v1/pipes" {
		first := false
		g.once.Do(func() { first = true })
		if first {
			close(g.held)
			<-g.released
		}
	}
	return g.base.Do(req)
}

// waitHeld waits until the gate holds a request.
func (g *gate) waitHeld(t *testing.T) {
	t.Helper()
	select {
	case <-g.held:
	case <-time.After(time.Minute):
		t.Fatal("no ListPipes request reached the gate")
	}
}

// TestAReadInFlightFromBeforeServesNoLaterSince: a read started before
// the change, still in flight, is not waited for by a listing asked
// after it; when it ends, its older answer does not replace the newer.
func TestAReadInFlightFromBeforeServesNoLaterSince(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	g := newGate()
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls, HTTPClient: g})
	inv := inventory.New(s, fixedClock)
	ctx := context.Background()

	early := make(chan []string)
	go func() {
		found, _ := inventory.NewLocator(s, nil, "", inventory.Shared(inv)).ArchiveConsumers(ctx, backend.ArchiveLocation{})
		var names []string
		for _, c := range found.Consumers {
			names = append(names, c.Name)
		}
		early <- names
	}()
	g.waitHeld(t)
	inventorytest.Pipe(t, e, "late-pipe", d.StreamARN, d.DestARN, "", map[string]string{demo.ArchiveTag: demo.ArchiveURL + "/late/"})

	// Were this listing to wait for the held read, it would wait until
	// its context ended, and fail.
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	found, err := inventory.NewLocator(s, nil, "", inventory.SharedSince(inv, inv.Now())).ArchiveConsumers(wctx, backend.ArchiveLocation{})
	if err != nil || len(found.Failures) > 0 {
		t.Fatalf("the listing asked after the change: %v %v", err, found.Failures)
	}
	if !slices.ContainsFunc(found.Consumers, func(c inventory.ArchiveConsumer) bool { return c.Name == "late-pipe" }) {
		t.Fatalf("the listing asked after the change lists %+v, without late-pipe", found.Consumers)
	}
	close(g.released)
	if got := <-early; !slices.Contains(got, demo.PipeName) {
		t.Fatalf("the held read's own listing got %v", got)
	}
	if got := consumerNames(t, inventory.NewLocator(s, nil, "", inventory.Shared(inv))); !slices.Contains(got, "late-pipe") {
		t.Fatalf("the older read, ending last, replaced the newer: %v", got)
	}
	if n := countOp(calls, "ListPipes"); n != 2 {
		t.Fatalf("ListPipes %d times, want 2 (the held read and the later one)", n)
	}
}

// TestAReaderThatGivesUpPoisonsNothing: a listing whose context ends
// while it waits for another's read gets a failure, not an empty
// answer, and the read it waited for still serves the rest; a read
// whose own reader gave up is not kept.
func TestAReaderThatGivesUpPoisonsNothing(t *testing.T) {
	e := enginetest.Start(t)
	inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	g := newGate()
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls, HTTPClient: g})
	inv := inventory.New(s, fixedClock)
	ctx := context.Background()

	first := make(chan inventory.Discovery)
	go func() {
		d, _ := inventory.Discover(ctx, s, nil, "", inventory.Shared(inv))
		first <- d
	}()
	g.waitHeld(t)
	gaveUp, cancel := context.WithCancel(ctx)
	cancel()
	d, err := inventory.Discover(gaveUp, s, nil, "", inventory.Shared(inv))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Failures, func(f backend.Failure) bool { return f.Service == "pipes" }) {
		t.Fatalf("a reader that gave up waiting got pipelines %+v and failures %v, not the pipes' failure", d.Pipelines, d.Failures)
	}
	close(g.released)
	if d := <-first; len(d.Failures) > 0 || !slices.ContainsFunc(d.Pipelines, func(p backend.Pipeline) bool { return p.Consumer == demo.PipeName }) {
		t.Fatalf("the read waited for: %+v %v", d.Pipelines, d.Failures)
	}
	d, _ = inventory.Discover(ctx, s, nil, "", inventory.Shared(inv))
	if len(d.Failures) > 0 || countOp(calls, "ListPipes") != 1 {
		t.Fatalf("after the reader gave up: failures %v, ListPipes %d times, want the kept read's answer", d.Failures, countOp(calls, "ListPipes"))
	}

	// A read made by a reader whose context had ended is not kept: the
	// next reader reads, and gets the whole answer.
	inv.Refresh()
	if d, _ := inventory.Discover(gaveUp, s, nil, "", inventory.Shared(inv)); len(d.Failures) == 0 {
		t.Fatal("a read with its context ended had no failure")
	}
	d, _ = inventory.Discover(ctx, s, nil, "", inventory.Shared(inv))
	if len(d.Failures) > 0 || !slices.ContainsFunc(d.Pipelines, func(p backend.Pipeline) bool { return p.Consumer == demo.PipeName }) {
		t.Fatalf("after a read whose context ended: %+v %v", d.Pipelines, d.Failures)
	}
}

// TestAFailedQueueReadIsNotKept: a queue whose attributes could not be
// read is read again by the next listing, however fresh the failure.
func TestAFailedQueueReadIsNotKept(t *testing.T) {
	s, p, _ := behindProxy(t)
	inv := inventory.New(s, fixedClock)
	ctx := context.Background()
	deny := p.Add(&faultproxy.Rule{Service: "sqs", Operation: "GetQueueAttributes", Match: faultproxy.BodyHas("QueueUrl", demo.DLQName),
		Fault: faultproxy.Denied("sqs:GetQueueAttributes", demo.DLQName)})
	l := inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	if deny.Fired() == 0 || len(l.Failures) == 0 {
		t.Fatalf("the denial did not fire (%d) or was not reported: %v", deny.Fired(), l.Failures)
	}
	p.Clear()
	before := p.Count("sqs", "GetQueueAttributes")
	l = inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	if len(l.Failures) > 0 || !slices.ContainsFunc(l.DLQs, func(d inventory.DLQ) bool { return d.Queue.Name == demo.DLQName }) {
		t.Fatalf("after the denial ended: DLQs %+v, failures %v", l.DLQs, l.Failures)
	}
	if p.Count("sqs", "GetQueueAttributes") == before {
		t.Fatal("the failed queue read was kept: its attributes were not read again")
	}
}

// TestArchiveForQueueReadsTheQueueTagsOnce: looking up the archive of a
// DLQ that has no tag of its own read its tags, then discovery read them
// again for the pipeline whose DLQ it is (sluice dlq hydrate, the DLQs
// tab's h). The lookup reads through one inventory: once.
func TestArchiveForQueueReadsTheQueueTagsOnce(t *testing.T) {
	e := enginetest.Start(t)
	d := inventorytest.Setup(t, e)
	calls := backend.NewCallLog(0)
	s := backendtest.OpenOn(t, e, backend.Env{Calls: calls})
	ctx := context.Background()
	_, sinkARN := inventorytest.Queue(t, e, "sink", nil)
	quietURL, quietARN := inventorytest.Queue(t, e, "quiet-dlq", nil)
	inventorytest.Pipe(t, e, "quiet", d.StreamARN, sinkARN, quietARN, map[string]string{inventory.ArchiveTag: "s3://pipe-tagged/quiet"})
	tagReads := func() int {
		n := 0
		for _, c := range calls.Calls() {
			if c.Operation == "ListQueueTags" && c.Resource == quietURL {
				n++
			}
		}
		return n
	}

	got, err := inventory.ArchiveForQueue(ctx, s, nil, quietURL, "")
	if want := (backend.ArchiveLocation{Bucket: "pipe-tagged", Prefix: "quiet/", From: "tag"}); err != nil || got != want {
		t.Fatalf("archive of quiet-dlq: %+v %v, want %+v", got, err, want)
	}
	if n := tagReads(); n != 1 {
		t.Errorf("quiet-dlq's tags read %d times by one lookup, want 1", n)
	}

	// Through the session's inventory, with the Instant the lookup was
	// asked at: the tabs' reads from before do not answer it, and it
	// reads nothing twice either.
	inv := inventory.New(s, fixedClock)
	inventory.ListDLQs(ctx, s, nil, inventory.Shared(inv))
	before, pipes := tagReads(), countOp(calls, "ListPipes")
	if _, err := inventory.ArchiveForQueue(ctx, s, nil, quietURL, "", inventory.SharedSince(inv, inv.Now())); err != nil {
		t.Fatal(err)
	}
	if n := tagReads() - before; n != 1 || countOp(calls, "ListPipes") != pipes+1 {
		t.Errorf("through the inventory: quiet-dlq's tags read %d times, ListPipes %d more, want 1 each", n, countOp(calls, "ListPipes")-pipes)
	}
}
