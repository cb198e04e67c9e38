package inflight

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHold(t *testing.T) {
	l := New(100, 50*time.Millisecond)
	a, endA := l.Begin(context.Background())
	if err := Hold(a, 60); err != nil {
		t.Fatal(err)
	}
	// Holding at least n: asking again for less, or the same, takes nothing.
	if err := Hold(a, 30); err != nil {
		t.Fatal(err)
	}
	b, endB := l.Begin(context.Background())
	if err := Hold(b, 40); err != nil {
		t.Fatalf("the rest of the budget: %v", err)
	}
	c, endC := l.Begin(context.Background())
	if err := Hold(c, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("spent budget: %v, want ErrBusy", err)
	}
	endA()
	// A share that waited in vain does not wait again.
	if err := Hold(c, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("after a wait ran out: %v, want ErrBusy", err)
	}
	endC()
	d, endD := l.Begin(context.Background())
	// More than the budget gets the whole budget, once the others are gone.
	go func() { time.Sleep(10 * time.Millisecond); endB() }()
	if err := Hold(d, 1000); err != nil {
		t.Fatalf("a request larger than the budget: %v", err)
	}
	endD()
	endD() // twice is harmless
	if !l.sem.TryAcquire(100) {
		t.Fatal("the budget did not come back whole")
	}
	if err := Hold(context.Background(), 1<<40); err != nil {
		t.Fatalf("without a limiter: %v", err)
	}
}

func TestHoldCancelled(t *testing.T) {
	l := New(10, time.Minute)
	a, endA := l.Begin(context.Background())
	defer endA()
	_ = Hold(a, 10)
	ctx, cancel := context.WithCancel(context.Background())
	b, endB := l.Begin(ctx)
	defer endB()
	cancel()
	if err := Hold(b, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("a gone request: %v", err)
	}
}
