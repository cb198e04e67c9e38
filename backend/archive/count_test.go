package archive

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestCountPagesThroughAnHour: 25 events and a stranger's object in one
// hour, counted 10 keys a page: 10, 20, then 25 and complete after the
// third call; the neighbouring hour's events are not counted.
func TestCountPagesThroughAnHour(t *testing.T) {
	s, _, loc := openArchive(t)
	at := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	var events []Event
	for i := range 25 {
		events = append(events, event("orders", fmt.Sprintf("k-%d", i), at.Add(time.Duration(i)*time.Minute), i))
	}
	events = append(events, event("orders", "next-hour", at.Add(time.Hour), 99))
	putAll(t, s, loc, events)
	if _, err := s.S3().PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket),
		Key: aws.String(loc.Prefix + "orders/2026/03/01/14/zz-README.txt"), Body: strings.NewReader("not an event")}); err != nil {
		t.Fatal(err)
	}

	c := NewHourCount(at.Add(30 * time.Minute))
	c.PageSize = 10
	var seen []int
	for !c.Complete {
		var err error
		if c, err = CountPage(ctxT(t), s, loc, "orders", c); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, c.N)
		if len(seen) > 5 {
			t.Fatalf("no end: %v", seen)
		}
	}
	// The README is on the last page: counted as a key read, not an event.
	if fmt.Sprint(seen) != "[10 20 25]" || c.Pages != 3 {
		t.Fatalf("counts %v after %d pages, want [10 20 25] after 3", seen, c.Pages)
	}
	again, err := CountPage(ctxT(t), s, loc, "orders", c)
	if err != nil || again.Pages != 3 {
		t.Fatalf("a complete count read again: %+v %v", again, err)
	}
	whole, err := CountHour(ctxT(t), s, loc, "orders", at)
	if err != nil || whole.N != 25 || !whole.Complete || whole.Pages != 1 {
		t.Fatalf("whole hour: %+v %v", whole, err)
	}
	empty, err := CountHour(ctxT(t), s, loc, "orders", at.Add(-time.Hour))
	if err != nil || empty.N != 0 || !empty.Complete {
		t.Fatalf("an empty hour: %+v %v", empty, err)
	}
}

// TestCountStopsWithItsContext: a cancelled count returns what it had,
// incomplete, with the error.
func TestCountStopsWithItsContext(t *testing.T) {
	s, _, loc := openArchive(t)
	at := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	putAll(t, s, loc, []Event{event("orders", "k", at, 1)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := CountHour(ctx, s, loc, "orders", at)
	if err == nil || c.Complete {
		t.Fatalf("a cancelled count: %+v %v", c, err)
	}
}
