package archive

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
)

// spread puts events of "orders" over two days, several hours and, within
// one hour, at the same millisecond; plus another consumer's events and an
// object that is not an event.
func spread(t *testing.T, s *backend.Session, loc backend.ArchiveLocation) []Event {
	t.Helper()
	day1 := time.Date(2026, 2, 28, 22, 15, 0, 0, time.UTC)
	day2 := time.Date(2026, 3, 1, 1, 5, 0, 0, time.UTC)
	events := []Event{
		event("orders", "c-1", day1, 1),
		event("orders", "c-2", day1.Add(10*time.Minute), 2),
		event("orders", "c-1", day1.Add(time.Hour), 3),
		event("orders", "c/1 é", day2, 4),
		event("orders", "c-1", day2, 5), // same millisecond as 4: ordered by id
		event("orders", "c-1", day2.Add(3*time.Hour), 6),
		event("orders", "c-1", time.Date(2025, 12, 31, 23, 59, 59, 999e6, time.UTC), 7),
	}
	for _, e := range events {
		put(t, s, loc, e)
	}
	put(t, s, loc, event("billing", "c-1", day2, 8))
	if _, err := s.S3().PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(loc.Bucket),
		Key: aws.String(loc.Prefix + "orders/2026/03/01/01/README.txt"), Body: strings.NewReader("not an event")}); err != nil {
		t.Fatal(err)
	}
	return events
}

// newestFirstKeys is the order List must give.
func newestFirstKeys(loc backend.ArchiveLocation, events []Event) []string {
	objs := make([]Object, len(events))
	for i, e := range events {
		objs[i] = Object{Key: Key(loc.Prefix, e.KeyParts()), Arrival: e.Record.ArrivalTime, ID: e.ID}
	}
	slices.SortFunc(objs, newestFirst)
	return keysOf(objs)
}

func TestListNewestFirstAcrossDaysAndHours(t *testing.T) {
	s, _, loc := openArchive(t)
	events := spread(t, s, loc)
	p := List(s, loc, Query{Consumer: "orders"})
	var pages [][]Object
	for p.More() {
		page, err := p.Next(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 0 {
			pages = append(pages, page)
		}
	}
	// One page per hour that holds events.
	if len(pages) != 5 {
		t.Fatalf("%d pages, want one per hour (5)", len(pages))
	}
	all := slices.Concat(pages...)
	if got, want := keysOf(all), newestFirstKeys(loc, events); !slices.Equal(got, want) {
		t.Fatalf("order\n got %q\nwant %q", got, want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Arrival.After(all[i-1].Arrival) {
			t.Fatalf("%s after %s", all[i].Arrival, all[i-1].Arrival)
		}
	}
	byID := map[string]Event{}
	for _, e := range events {
		byID[e.ID] = e
	}
	for _, o := range all {
		e := byID[o.ID]
		if o.Consumer != "orders" || o.PartitionKey != e.Record.PartitionKey || !o.Arrival.Equal(e.Record.ArrivalTime) ||
			o.Bucket != loc.Bucket || o.Size == 0 || o.LastModified.IsZero() || o.Replayed {
			t.Errorf("object %+v does not describe %+v", o, e.Record)
		}
	}
}

func TestListTimeRange(t *testing.T) {
	s, _, loc := openArchive(t)
	events := spread(t, s, loc)
	since := events[1].Record.ArrivalTime // inclusive
	until := events[5].Record.ArrivalTime // exclusive
	before := s.Calls.Total()
	got := listAll(t, List(s, loc, Query{Consumer: "orders", Since: since, Until: until}))
	want := newestFirstKeys(loc, []Event{events[1], events[2], events[3], events[4]})
	if !slices.Equal(keysOf(got), want) {
		t.Fatalf("range\n got %q\nwant %q", keysOf(got), want)
	}
	// The walk lists only folders that may hold the range: the consumer,
	// year 2026 (not 2025), its months, their days, the hours in range.
	if n := listCallsSince(s, before); n > 12 {
		t.Errorf("%d listings for a range of four hours", n)
	}

	// Only one side bounded.
	got = listAll(t, List(s, loc, Query{Consumer: "orders", Until: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if !slices.Equal(keysOf(got), newestFirstKeys(loc, events[6:7])) {
		t.Fatalf("until 2026: %q", keysOf(got))
	}
	got = listAll(t, List(s, loc, Query{Consumer: "orders", Since: events[5].Record.ArrivalTime}))
	if !slices.Equal(keysOf(got), newestFirstKeys(loc, events[5:6])) {
		t.Fatalf("since the newest: %q", keysOf(got))
	}
	if got := listAll(t, List(s, loc, Query{Consumer: "orders", Since: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})); len(got) != 0 {
		t.Fatalf("future range: %q", keysOf(got))
	}
}

func TestListPartitionKey(t *testing.T) {
	s, _, loc := openArchive(t)
	events := spread(t, s, loc)
	at := events[0].Record.ArrivalTime
	// Partition keys that start like "c-1" must not match it.
	put(t, s, loc, event("orders", "c-1-2", at, 20))
	put(t, s, loc, event("orders", "c-10", at, 21))
	got := listAll(t, List(s, loc, Query{Consumer: "orders", PartitionKey: "c-1"}))
	if want := newestFirstKeys(loc, []Event{events[0], events[2], events[4], events[5], events[6]}); !slices.Equal(keysOf(got), want) {
		t.Fatalf("c-1\n got %q\nwant %q", keysOf(got), want)
	}
	got = listAll(t, List(s, loc, Query{Consumer: "orders", PartitionKey: "c/1 é"}))
	if len(got) != 1 || got[0].ID != events[3].ID || got[0].PartitionKey != "c/1 é" {
		t.Fatalf("escaped key: %+v", got)
	}
	if got := listAll(t, List(s, loc, Query{Consumer: "orders", PartitionKey: "nobody"})); len(got) != 0 {
		t.Fatalf("nobody: %+v", got)
	}
}

func TestListAnHourOfMoreThanOnePage(t *testing.T) {
	s, _, loc := openArchive(t)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	events := make([]Event, 1100)
	for i := range events {
		events[i] = event("bulk", "k", at.Add(time.Duration(i)*time.Second), i)
	}
	putAll(t, s, loc, events)
	before := s.Calls.Total()
	got := listAll(t, List(s, loc, Query{Consumer: "bulk"}))
	if !slices.Equal(keysOf(got), newestFirstKeys(loc, events)) {
		t.Fatalf("got %d objects, not the 1,100 newest first", len(got))
	}
	// consumer, year, month, day, then the hour in two pages of 1,000.
	if n := listCallsSince(s, before); n != 6 {
		t.Errorf("%d listings, want 6", n)
	}

	// The same through pages of 7, across the folder levels too.
	got = listAll(t, list(s, loc, Query{Consumer: "bulk"}, 7))
	if len(got) != len(events) || got[0].ID != events[1099].ID {
		t.Fatalf("pages of 7: %d objects", len(got))
	}

	// Delete takes them all, past one DeleteObjects batch.
	if err := Delete(ctxT(t), s, loc, keysOf(got)...); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, List(s, loc, Query{Consumer: "bulk"})); len(got) != 0 {
		t.Fatalf("%d left after delete", len(got))
	}
}

func TestListFoldersAcrossPages(t *testing.T) {
	s, _, loc := openArchive(t)
	var events []Event
	start := time.Date(2026, 1, 30, 20, 30, 0, 0, time.UTC)
	for i := range 30 { // 30 hours: two months, three days
		events = append(events, event("orders", "pk", start.Add(time.Duration(i)*time.Hour), i))
	}
	for _, e := range events {
		put(t, s, loc, e)
	}
	got := listAll(t, list(s, loc, Query{Consumer: "orders"}, 2))
	if !slices.Equal(keysOf(got), newestFirstKeys(loc, events)) {
		t.Fatalf("got %q", keysOf(got))
	}
	hours, err := Hours(ctxT(t), s, loc, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 30 || !hours[0].Equal(start.Add(29*time.Hour).Truncate(time.Hour)) || !hours[29].Equal(start.Truncate(time.Hour)) {
		t.Fatalf("hours: %v", hours)
	}
	objs, err := ListHour(ctxT(t), s, loc, "orders", hours[3], false)
	if err != nil || len(objs) != 1 || objs[0].ID != events[26].ID {
		t.Fatalf("hour %s: %+v %v", hours[3], objs, err)
	}
}

func TestConsumers(t *testing.T) {
	s, _, loc := openArchive(t)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	put(t, s, loc, event("orders", "a", at, 1))
	put(t, s, loc, event("_replayed", "a", at, 2)) // escaped: no clash with the folder
	k := put(t, s, loc, event("only-replayed", "a", at, 3))
	put(t, s, loc, event("a/b c", "a", at, 4))
	if _, err := MarkReplayed(ctxT(t), s, loc, k, Replay{At: at, Target: "t", Result: "accepted"}); err != nil {
		t.Fatal(err)
	}
	got, err := Consumers(ctxT(t), s, loc)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"_replayed", "a/b c", "only-replayed", "orders"}; !slices.Equal(got, want) {
		t.Fatalf("consumers %q, want %q", got, want)
	}
	if objs := listAll(t, List(s, loc, Query{Consumer: "_replayed"})); len(objs) != 1 || objs[0].Consumer != "_replayed" {
		t.Fatalf("consumer _replayed: %+v", objs)
	}
}

func TestListNeedsAConsumer(t *testing.T) {
	s, _, loc := openArchive(t)
	if _, err := List(s, loc, Query{}).Next(ctxT(t)); err == nil || !strings.Contains(err.Error(), "consumer") {
		t.Fatalf("err = %v", err)
	}
}

func TestMarkReplayed(t *testing.T) {
	s, _, loc := openArchive(t)
	events := spread(t, s, loc)
	e := events[3]
	key := Key(loc.Prefix, e.KeyParts())
	r := Replay{At: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Target: "https://api.example/orders", Result: "accepted"}
	newKey, err := MarkReplayed(ctxT(t), s, loc, key, r)
	if err != nil {
		t.Fatal(err)
	}
	if newKey != ReplayedKey(loc.Prefix, key) || !strings.HasPrefix(newKey, loc.Prefix+ReplayedDir) {
		t.Fatalf("copy at %s", newKey)
	}
	if exists(t, s, loc.Bucket, key) {
		t.Fatal("original left")
	}
	copied, err := Get(ctxT(t), s, loc.Bucket, newKey)
	if err != nil {
		t.Fatal(err)
	}
	if copied.Replay == nil || *copied.Replay != r || copied.ID != e.ID {
		t.Fatalf("copy %+v", copied)
	}
	data, _ := copied.Record.Bytes()
	orig, _ := e.Record.Bytes()
	if !bytes.Equal(data, orig) {
		t.Fatalf("data %q, want %q", data, orig)
	}

	// The waiting list no longer shows it; the replayed one does.
	waiting := listAll(t, List(s, loc, Query{Consumer: "orders"}))
	if slices.ContainsFunc(waiting, func(o Object) bool { return o.ID == e.ID }) || len(waiting) != len(events)-1 {
		t.Fatalf("waiting: %q", keysOf(waiting))
	}
	replayed := listAll(t, List(s, loc, Query{Consumer: "orders", Replayed: true}))
	if len(replayed) != 1 || replayed[0].Key != newKey || !replayed[0].Replayed || replayed[0].ID != e.ID || replayed[0].PartitionKey != "c/1 é" {
		t.Fatalf("replayed: %+v", replayed)
	}

	// Again: nothing to do, same answer, the copy untouched.
	again, err := MarkReplayed(ctxT(t), s, loc, key, Replay{Target: "other"})
	if err != nil || again != newKey {
		t.Fatalf("second mark: %s %v", again, err)
	}
	if c, _ := Get(ctxT(t), s, loc.Bucket, newKey); c.Replay == nil || *c.Replay != r {
		t.Fatalf("copy changed: %+v", c.Replay)
	}

	// A crash between the copy and the delete leaves both; marking again
	// finishes the job.
	k2 := Key(loc.Prefix, events[0].KeyParts())
	if _, err := WriteReplayedCopy(ctxT(t), s, loc, k2, events[0], r); err != nil {
		t.Fatal(err)
	}
	if !exists(t, s, loc.Bucket, k2) {
		t.Fatal("WriteReplayedCopy deleted the original")
	}
	if _, err := MarkReplayed(ctxT(t), s, loc, k2, r); err != nil || exists(t, s, loc.Bucket, k2) {
		t.Fatalf("finishing a half-done mark: %v", err)
	}

	if _, err := MarkReplayed(ctxT(t), s, loc, Key(loc.Prefix, event("orders", "x", time.Now(), 99).KeyParts()), r); !errorsIs(err, ErrNotFound) {
		t.Fatalf("missing event: %v", err)
	}
	if _, err := MarkReplayed(ctxT(t), s, loc, newKey, r); err == nil || !strings.Contains(err.Error(), "already a replayed copy") {
		t.Fatalf("marking a copy: %v", err)
	}
	if _, err := MarkReplayed(ctxT(t), s, loc, "elsewhere/x.json", r); err == nil {
		t.Fatal("marking a foreign key: no error")
	}
}

func TestDelete(t *testing.T) {
	s, _, loc := openArchive(t)
	events := spread(t, s, loc)
	k0 := Key(loc.Prefix, events[0].KeyParts())
	k1 := Key(loc.Prefix, events[1].KeyParts())
	copyKey, err := MarkReplayed(ctxT(t), s, loc, k1, Replay{Target: "t", Result: "accepted"})
	if err != nil {
		t.Fatal(err)
	}
	gone := Key(loc.Prefix, event("orders", "x", time.Now(), 99).KeyParts())
	if err := Delete(ctxT(t), s, loc, k0, copyKey, gone); err != nil {
		t.Fatal(err)
	}
	if exists(t, s, loc.Bucket, k0) || exists(t, s, loc.Bucket, copyKey) {
		t.Fatal("not deleted")
	}
	if n := len(listAll(t, List(s, loc, Query{Consumer: "orders"}))); n != len(events)-2 {
		t.Fatalf("%d left, want %d", n, len(events)-2)
	}
	// Only archive keys: the README next to the events stays.
	readme := loc.Prefix + "orders/2026/03/01/01/README.txt"
	if err := Delete(ctxT(t), s, loc, readme); err == nil {
		t.Fatal("deleted a key that is not an archived event")
	}
	if !exists(t, s, loc.Bucket, readme) {
		t.Fatal("README gone")
	}
	if err := Delete(ctxT(t), s, loc); err != nil {
		t.Fatalf("no keys: %v", err)
	}
}

func TestWritesRefusedReadOnly(t *testing.T) {
	s, e, loc := openArchive(t)
	events := spread(t, s, loc)
	key := Key(loc.Prefix, events[0].KeyParts())
	ro := backendOpenReadOnly(t, e)
	r := Replay{Target: "t", Result: "accepted"}
	if _, err := MarkReplayed(ctxT(t), ro, loc, key, r); !errorsIs(err, backend.ErrReadOnly) {
		t.Errorf("mark: %v", err)
	}
	if _, err := WriteReplayedCopy(ctxT(t), ro, loc, key, events[0], r); !errorsIs(err, backend.ErrReadOnly) {
		t.Errorf("copy: %v", err)
	}
	if err := Delete(ctxT(t), ro, loc, key); !errorsIs(err, backend.ErrReadOnly) {
		t.Errorf("delete: %v", err)
	}
	if !exists(t, s, loc.Bucket, key) || exists(t, s, loc.Bucket, ReplayedKey(loc.Prefix, key)) {
		t.Fatal("read-only session changed the archive")
	}
	// Reading is allowed.
	if got := listAll(t, List(ro, loc, Query{Consumer: "orders"})); len(got) != len(events) {
		t.Fatalf("read-only list: %d", len(got))
	}
}
