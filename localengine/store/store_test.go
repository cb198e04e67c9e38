package store

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestConcurrentWritersAllCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "engine.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	errBoom := errors.New("boom")
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Every tenth write fails: it must leave nothing behind and
				// must not take its batch-mates down with it.
				fail := i%10 == 9
				err := s.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("b"))
					if err != nil {
						return err
					}
					var k [8]byte
					binary.BigEndian.PutUint64(k[:], uint64(w*each+i))
					if err := b.Put(k[:], []byte("v")); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				if fail != errors.Is(err, errBoom) {
					t.Errorf("write %d/%d: err %v", w, i, err)
				}
			}
		}(w)
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	_ = s.View(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte("b")).Stats().KeyN
		return nil
	})
	if want := writers * each * 9 / 10; n != want {
		t.Fatalf("after reopen: %d keys, want %d", n, want)
	}
}

func TestPanickingWriterGetsAnError(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(func(tx *bolt.Tx) error { panic("bad") })
	if err == nil {
		t.Fatal("a panicking write reported success")
	}
	if err := s.Update(func(tx *bolt.Tx) error { return nil }); err != nil {
		t.Fatalf("store unusable after a panic: %v", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "engine.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestUpdateAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "engine.db"))
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if err := s.Update(func(tx *bolt.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}
