package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory"
)

// archivedOrder is an event of the demo's archive with the order it
// holds.
type archivedOrder struct {
	archive.Object
	OrderID string
}

// prepareHour hydrates up to n of the demo's dead-lettered messages
// through the backend and returns the archived events of the newest
// hour (the one the Archives tab opens first), with their orders.
func prepareHour(t *testing.T, rw *backend.Session, n int) []archivedOrder {
	t.Helper()
	ctx := context.Background()
	var res bdlq.BrowseResult
	var dlqURL string
	var err error
	for deadline := time.Now().Add(longWait); len(res.Messages) < n; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d failures reached %s: %v", n, demo.DLQName, err)
		}
		if dlqURL == "" {
			if dlqURL, err = inventory.QueueURL(ctx, rw, demo.DLQName); err != nil {
				dlqURL = ""
				continue
			}
		}
		res, err = bdlq.Browse(ctx, rw, dlqURL, bdlq.BrowseOptions{Max: n})
	}
	loc, err := inventory.ArchiveForQueue(ctx, rw, nil, dlqURL, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, n)
	for _, m := range res.Messages[:n] {
		ids = append(ids, m.ID)
	}
	if sum, err := hydrate.Queue(ctx, rw, dlqURL, hydrate.Options{Archive: loc, DLQ: demo.DLQName, IDs: ids}); err != nil || sum.Hydrated != n {
		t.Fatalf("hydrate %d messages: %+v, %v", n, sum, err)
	}
	objs, err := archive.List(rw, loc, archive.Query{Consumer: demo.PipeName}).All(ctx)
	if err != nil || len(objs) == 0 {
		t.Fatalf("archive: %d events, %v", len(objs), err)
	}
	newest := objs[0].Arrival.UTC().Truncate(time.Hour)
	for _, o := range objs {
		if h := o.Arrival.UTC().Truncate(time.Hour); h.After(newest) {
			newest = h
		}
	}
	var out []archivedOrder
	for _, o := range objs {
		if !o.Arrival.UTC().Truncate(time.Hour).Equal(newest) {
			continue
		}
		e, err := archive.Get(ctx, rw, loc.Bucket, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := e.Record.Bytes()
		var order demo.Order
		_ = json.Unmarshal(data, &order)
		out = append(out, archivedOrder{Object: o, OrderID: order.OrderID})
	}
	return out
}

// shownEvents are the events of evs whose rows the screen shows.
func shownEvents(screen string, evs []archivedOrder) map[string]bool {
	out := map[string]bool{}
	for _, e := range evs {
		if _, ok := lineWith(screen, e.ID[:12]); ok {
			out[e.ID] = true
		}
	}
	return out
}

// exactly is a condition: the screen shows the events of evs that keep
// selects, and no other.
func exactly(evs []archivedOrder, keep func(archivedOrder) bool) func(string) bool {
	return func(s string) bool {
		shown := shownEvents(s, evs)
		for _, e := range evs {
			if shown[e.ID] != keep(e) {
				return false
			}
		}
		return true
	}
}

// promptLine is the row of the screen that holds the prompt label: text,
// or "" when none does.
func promptLine(screen, label string) string {
	l, _ := lineWith(screen, label+": ")
	return l
}

// TestArchivesPromptsAreDrawnAndApply: J and K opened their prompts below
// the view's last line, so what was typed, and esc, went unseen. Here, at
// 80×24 on the demo's archive, each prompt is on screen as it is typed
// in, with the text typed; esc closes it and leaves the events as they
// were; enter applies it: the jq filter keeps the one order it names,
// ctrl+u then enter clears it, and the partition key keeps that key's
// events alone.
func TestArchivesPromptsAreDrawnAndApply(t *testing.T) {
	e := engine(t)
	demoReady(t, e)
	rw := session(t, e, false)
	evs := prepareHour(t, rw, 3)
	if len(evs) < 2 {
		t.Fatalf("the newest hour holds %d events, want two at least", len(evs))
	}
	all := func(archivedOrder) bool { return true }
	a := start(t, rw, config.File{}, 80, 24)
	a.waitText(shortWait, "Streams", "local")
	// Consumer, day, hour: the newest hour opens first.
	a.press("4")
	a.waitFor("the demo's consumer", shortWait, func(s string) bool {
		_, ok := lineWith(s, demo.PipeName, "s3://orders-archi")
		return ok
	})
	a.press("/")
	a.tm.Type(demo.PipeName)
	a.press("enter", "enter")
	a.waitFor("the days", shortWait, func(s string) bool { return dayRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("the hours", shortWait, func(s string) bool { return hourRowRe.MatchString(s) })
	a.press("enter")
	a.waitFor("every event of the hour", shortWait, exactly(evs, all))

	// J: the prompt shows what is typed; enter keeps the named order.
	target := evs[1]
	expr := `.orderId == "` + target.OrderID + `"`
	a.press("J")
	a.waitFor("the jq prompt", shortWait, func(s string) bool { return promptLine(s, "jq") != "" })
	a.tm.Type(expr)
	a.waitFor("the jq expression typed", shortWait, func(s string) bool { return strings.Contains(promptLine(s, "jq"), expr) })
	a.press("enter")
	a.waitFor("the order named alone", shortWait, func(s string) bool {
		return promptLine(s, "jq") == "" && exactly(evs, func(e archivedOrder) bool { return e.ID == target.ID })(s)
	})
	// J again holds the filter; ctrl+u and enter clear it.
	a.press("J")
	a.waitFor("the jq prompt with the filter", shortWait, func(s string) bool { return strings.Contains(promptLine(s, "jq"), expr) })
	a.press("ctrl+u", "enter")
	a.waitFor("every event again", shortWait, func(s string) bool {
		return promptLine(s, "jq") == "" && exactly(evs, all)(s)
	})

	// K: typed text shows; esc closes the prompt and changes nothing.
	a.press("K")
	a.tm.Type("zz-none")
	a.waitFor("the partition key typed", shortWait, func(s string) bool {
		return strings.Contains(promptLine(s, "partition key"), "zz-none")
	})
	a.press("esc")
	screen := a.waitFor("the prompt closed", shortWait, func(s string) bool { return promptLine(s, "partition key") == "" })
	if !strings.Contains(bodyHeader(screen), " UTC") || !exactly(evs, all)(screen) {
		t.Fatalf("esc did more than close the prompt:\n%s", screen)
	}
	// K and enter: that key's events alone.
	pk := evs[0].PartitionKey
	if !slices.ContainsFunc(evs, func(e archivedOrder) bool { return e.PartitionKey != pk }) {
		t.Fatalf("every event has the key %s: the filter would change nothing", pk)
	}
	a.press("K")
	a.tm.Type(pk)
	a.waitFor("the partition key typed", shortWait, func(s string) bool { return strings.Contains(promptLine(s, "partition key"), pk) })
	a.press("enter")
	a.waitFor("the key's events alone", shortWait, func(s string) bool {
		return promptLine(s, "partition key") == "" &&
			exactly(evs, func(e archivedOrder) bool { return e.PartitionKey == pk })(s)
	})
	a.quit()
}
