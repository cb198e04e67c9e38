package dlq_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
)

func TestDeleteByHandle(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "by-handle", nil)
	send(t, e, url, numbered(30))
	res, err := dlq.Browse(testCtx(t), s, url, dlq.BrowseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	handles := func(ms []dlq.Message) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			out[m.ID] = m.ReceiptHandle
		}
		return out
	}
	one, err := dlq.Delete(testCtx(t), s, url, handles(res.Messages[:1]))
	if err != nil || len(one.Deleted) != 1 || one.Deleted[0] != res.Messages[0].ID || len(one.Failed) > 0 {
		t.Fatalf("delete one: %+v %v", one, err)
	}
	many, err := dlq.Delete(testCtx(t), s, url, handles(res.Messages[1:16]))
	if err != nil || len(many.Deleted) != 15 || len(many.Failed) > 0 {
		t.Fatalf("delete 15: %+v %v", many, err)
	}
	if v, inFlight := count(t, e, url); v != 14 || inFlight != 0 {
		t.Fatalf("%d visible, %d in flight, want 14 and 0", v, inFlight)
	}
	bad, err := dlq.Delete(testCtx(t), s, url, map[string]string{"some-id": "not-a-handle"})
	if err != nil || len(bad.Deleted) != 0 || len(bad.Failed) != 1 || bad.Failed[0].ID != "some-id" ||
		!strings.Contains(bad.Failed[0].Error, "ReceiptHandleIsInvalid") {
		t.Fatalf("bad handle: %+v %v", bad, err)
	}
}

// TestDeleteByID finds messages by id, deletes them, reports the id it
// could not find, and leaves every other message visible.
func TestDeleteByID(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "by-id", nil)
	ids := send(t, e, url, numbered(40))
	doomed := append(slices.Clone(ids[5:17]), "00000000-0000-0000-0000-000000000000")
	res, err := dlq.DeleteByID(testCtx(t), s, url, doomed)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(res.Deleted)
	slices.Sort(got)
	want := slices.Clone(ids[5:17])
	slices.Sort(want)
	if !slices.Equal(got, want) || len(res.Failed) > 0 || len(res.ReleaseFailures) > 0 ||
		!slices.Equal(res.NotFound, []string{"00000000-0000-0000-0000-000000000000"}) {
		t.Fatalf("%+v", res)
	}
	// Every other message is visible again at once.
	left := receiveAll(t, e, url)
	if len(left) != 28 {
		t.Fatalf("%d messages left visible, want 28", len(left))
	}
	for _, id := range ids[5:17] {
		if _, ok := left[id]; ok {
			t.Errorf("deleted message %s is still there", id)
		}
	}
}

func TestPurge(t *testing.T) {
	s, e := backendtest.Open(t)
	url, _ := createQueue(t, e, "purged", nil)
	send(t, e, url, numbered(12))
	if err := dlq.Purge(testCtx(t), s, url); err != nil {
		t.Fatal(err)
	}
	if v, inFlight := count(t, e, url); v != 0 || inFlight != 0 {
		t.Fatalf("%d visible, %d in flight after purge", v, inFlight)
	}
	err := dlq.Purge(testCtx(t), s, url)
	if err == nil || !strings.Contains(err.Error(), "one purge every 60 seconds") {
		t.Fatalf("second purge: %v", err)
	}
}

// TestReadOnlyRefusesEveryWrite: under read-only nothing is deleted,
// purged or redriven, and browsing still works.
func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	_, e := backendtest.Open(t)
	ro := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	dlqURL, dlqARN := createQueue(t, e, "guarded-dlq", nil)
	createQueue(t, e, "guarded", redrivePolicy(dlqARN, 3))
	ids := send(t, e, dlqURL, numbered(5))

	res, err := dlq.Browse(testCtx(t), ro, dlqURL, dlq.BrowseOptions{})
	if err != nil || len(res.Messages) != 5 {
		t.Fatalf("read-only browse: %v, %d messages", err, len(res.Messages))
	}
	handles := map[string]string{res.Messages[0].ID: res.Messages[0].ReceiptHandle}
	writes := map[string]func() error{
		"delete":       func() error { _, err := dlq.Delete(testCtx(t), ro, dlqURL, handles); return err },
		"delete by id": func() error { _, err := dlq.DeleteByID(testCtx(t), ro, dlqURL, ids[:2]); return err },
		"purge":        func() error { return dlq.Purge(testCtx(t), ro, dlqURL) },
		"redrive":      func() error { _, err := dlq.StartRedrive(testCtx(t), ro, dlqARN, "", 0); return err },
		"cancel":       func() error { _, err := dlq.CancelRedrive(testCtx(t), ro, "handle"); return err },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, backend.ErrReadOnly) {
			t.Errorf("%s: %v, want a read-only refusal", name, err)
		}
	}
	if got := receiveAll(t, e, dlqURL); len(got) != 5 {
		t.Fatalf("%d messages left, want 5", len(got))
	}
}
