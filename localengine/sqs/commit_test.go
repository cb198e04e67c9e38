package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sluicehq/sluice/localengine/store"
)

// A failed commit must not leave memory ahead of the store, and nothing
// decided on top of it may be acknowledged.
func TestFailedCommitRebuildsMemory(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		s.Close()
		_ = st.Close()
	}()
	ctx := context.Background()
	if _, err := s.HandleJSON(ctx, "CreateQueue", []byte(`{"QueueName":"q"}`)); err != nil {
		t.Fatal(err)
	}
	url := `"QueueUrl":"http://127.0.0.1:4577/000000000000/q"`

	// A send whose write fails, and a write queued behind it.
	s.mu.Lock()
	q := s.queues[regionKey("us-east-1", "q")]
	o, err := prepare(ctx, ptr("phantom"), nil, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.admitLocked(q, o, s.now(), &sendWrites{qid: q.rec.ID}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	failed := s.submitLocked(func(*bolt.Tx) error { return boom })
	behind := s.submitLocked(func(*bolt.Tx) error { return nil })
	s.mu.Unlock()
	if err := <-failed; !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	if err := <-behind; err == nil {
		t.Fatal("a write queued behind a failed one was acknowledged")
	}

	// The next request rebuilds memory: the phantom message is gone.
	out, err := s.HandleJSON(ctx, "ReceiveMessage", []byte(`{`+url+`}`))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(out); string(b) != "{}" {
		t.Fatalf("phantom delivered: %s", b)
	}
	if _, err := s.HandleJSON(ctx, "SendMessage", []byte(`{`+url+`,"MessageBody":"real"}`)); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err = s.HandleJSON(rctx, "ReceiveMessage", []byte(`{`+url+`}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(*receiveMessageOutput).Messages; len(got) != 1 || got[0].Body != "real" {
		t.Fatalf("after recovery: %+v", got)
	}
}

// The sweeper deletes expired messages from the store, not only from the
// index, so that idle queues do not keep them.
func TestSweeperDeletesExpiredMessages(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64
	s, err := New(st, Config{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		s.Close()
		_ = st.Close()
	}()
	ctx := context.Background()
	if _, err := s.HandleJSON(ctx, "CreateQueue", []byte(`{"QueueName":"q","Attributes":{"MessageRetentionPeriod":"60"}}`)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := s.HandleJSON(ctx, "SendMessage", []byte(`{"QueueUrl":"/000000000000/q","MessageBody":"m"}`)); err != nil {
			t.Fatal(err)
		}
	}
	stored := func() int {
		n := 0
		_ = st.View(func(tx *bolt.Tx) error {
			return root(tx).Bucket(bucketQ).ForEach(func(k, _ []byte) error {
				n += root(tx).Bucket(bucketQ).Bucket(k).Bucket(bucketMsgs).Stats().KeyN
				return nil
			})
		})
		return n
	}
	if n := stored(); n != 3 {
		t.Fatalf("stored %d", n)
	}
	offset.Store(int64(61 * time.Second))
	deadline := time.Now().Add(10 * time.Second)
	for stored() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("sweeper left %d messages", stored())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
