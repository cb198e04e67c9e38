package consumers_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestStopHaltsDeliveriesAndStartResumes: a stopped pipe reads STOPPED
// and delivers nothing of what arrives meanwhile (while the control pipe
// on the same stream delivers all of it); started again, it reads
// RUNNING and delivers exactly what arrived while stopped, from its
// checkpoint: nothing lost, nothing twice.
func TestStopHaltsDeliveriesAndStartResumes(t *testing.T) {
	f := newFixture(t)
	first := f.put("a", 5)
	if got := f.drain(f.outURL, 5); !slices.Equal(got, first) {
		t.Fatalf("before the stop the pipe delivered %v, want %v", got, first)
	}
	f.drain(f.controlURL, 5)

	ref := consumers.ParseRef("orders-to-out")
	c, err := consumers.Stop(f.ctx, f.s, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.DesiredState != "STOPPED" || (c.State != "STOPPING" && c.State != "STOPPED") {
		t.Fatalf("after StopPipe: state %s, desired %s", c.State, c.DesiredState)
	}
	var seen []string
	c, err = consumers.Follow(f.ctx, f.s, ref, func(c consumers.Consumer) { seen = append(seen, c.State) })
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "STOPPED" || !c.Settled() || !c.Stopped() || seen[len(seen)-1] != "STOPPED" {
		t.Fatalf("followed to %+v (states seen %v), want STOPPED and settled", c, seen)
	}

	second := f.put("b", 7)
	// The control pipe reads the same shard at the same pace: once it has
	// delivered these records, a running pipe would have too.
	if got := f.drain(f.controlURL, 7); !slices.Equal(got, second) {
		t.Fatalf("control pipe delivered %v", got)
	}
	if n := f.queued(f.outURL); n != 0 {
		t.Fatalf("the stopped pipe delivered %d messages", n)
	}

	c, err = consumers.Start(f.ctx, f.s, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.DesiredState != "RUNNING" {
		t.Fatalf("after StartPipe: desired %s", c.DesiredState)
	}
	if c, err = consumers.Follow(f.ctx, f.s, ref, nil); err != nil || c.State != "RUNNING" {
		t.Fatalf("followed to %s, %v; want RUNNING", c.State, err)
	}
	if got := f.drain(f.outURL, 7); !slices.Equal(got, second) {
		t.Fatalf("after the start the pipe delivered %v, want exactly %v", got, second)
	}
	// And nothing more: a third put arrives alone behind the second.
	third := f.put("c", 2)
	if got := f.drain(f.outURL, 2); !slices.Equal(got, third) {
		t.Fatalf("then it delivered %v, want %v (a record of before delivered again?)", got, third)
	}
}

// TestReadOnlyRefusesStopAndStart: under read-only both are refused with
// the reason, and the pipe is left as it was.
func TestReadOnlyRefusesStopAndStart(t *testing.T) {
	f := newFixture(t)
	ro := backendtest.OpenOn(t, f.e, backend.Env{ReadOnly: true})
	ref := consumers.ParseRef("orders-to-out")
	for _, act := range []struct {
		name string
		do   func() (consumers.Consumer, error)
	}{
		{"stop", func() (consumers.Consumer, error) { return consumers.Stop(f.ctx, ro, ref) }},
		{"start", func() (consumers.Consumer, error) { return consumers.Start(f.ctx, ro, ref) }},
	} {
		_, err := act.do()
		if !errors.Is(err, backend.ErrReadOnly) {
			t.Fatalf("%s under read-only: %v, want ErrReadOnly", act.name, err)
		}
		c, err := consumers.Get(f.ctx, f.s, ref)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != "RUNNING" || c.DesiredState != "RUNNING" {
			t.Fatalf("after a refused %s: %s/%s", act.name, c.State, c.DesiredState)
		}
	}
	// And the pipe still delivers.
	want := f.put("a", 3)
	if got := f.drain(f.outURL, 3); !slices.Equal(got, want) {
		t.Fatalf("delivered %v", got)
	}
}

// TestFollowSeesTheTransition: with the engine holding transitions
// (ConsumerStateDelay), StopPipe answers STOPPING and Follow reads it
// until it turns STOPPED; the pipe is not reported settled before.
func TestFollowSeesTheTransition(t *testing.T) {
	f := newFixture(t, enginetest.WithOptions(func(o *localengine.Options) { o.ConsumerStateDelay = 3 * time.Second }))
	ref := consumers.ParseRef("orders-to-out")
	if _, err := consumers.Follow(f.ctx, f.s, ref, nil); err != nil { // CREATING → RUNNING
		t.Fatal(err)
	}
	c, err := consumers.Stop(f.ctx, f.s, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "STOPPING" || c.DesiredState != "STOPPED" || c.Settled() || !c.Stopped() {
		t.Fatalf("after StopPipe: %+v, want STOPPING on its way to STOPPED", c)
	}
	var seen []string
	c, err = consumers.Follow(f.ctx, f.s, ref, func(c consumers.Consumer) {
		seen = append(seen, c.State)
		if c.Settled() != (c.State == "STOPPED") {
			t.Errorf("%s read as settled=%v", c.State, c.Settled())
		}
	})
	if err != nil || c.State != "STOPPED" {
		t.Fatalf("followed to %s, %v", c.State, err)
	}
	if len(seen) < 2 || seen[0] != "STOPPING" || seen[len(seen)-1] != "STOPPED" {
		t.Fatalf("states seen %v, want STOPPING … STOPPED", seen)
	}
}
