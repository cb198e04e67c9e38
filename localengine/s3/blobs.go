package s3

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Bodies larger than inlineMax live in files under <DataDir>/s3-blobs; the
// rest stay inline in bbolt, where group commit makes small writes cheap.
const inlineMax = 128 << 10

const tmpPrefix = "tmp-"

// blobStore holds large object bodies as immutable files. A body is written
// to a temporary file, synced, renamed to its id and the directory synced
// before the metadata that references it commits, so that an acknowledged
// object survives a crash; files that no metadata references (a crash
// between the two steps) are removed when the service opens.
type blobStore struct {
	dir string
}

func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validBlobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (b *blobStore) path(id string) string { return filepath.Join(b.dir, id) }

// create opens a new temporary blob file.
func (b *blobStore) create() (*pendingBlob, error) {
	id := newBlobID()
	f, err := os.OpenFile(filepath.Join(b.dir, tmpPrefix+id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	return &pendingBlob{store: b, id: id, f: f}, nil
}

func (b *blobStore) open(id string) (*os.File, error) {
	if !validBlobID(id) {
		return nil, fmt.Errorf("open blob: invalid id %q", id)
	}
	return os.Open(b.path(id))
}

// remove deletes a blob whose metadata is gone; a failure only leaves an
// orphan that the next open cleans up.
func (b *blobStore) remove(id string) error {
	if id == "" || !validBlobID(id) {
		return nil
	}
	err := os.Remove(b.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (b *blobStore) syncDir() error {
	d, err := os.Open(b.dir)
	if err != nil {
		return fmt.Errorf("sync blob directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync blob directory: %w", err)
	}
	return nil
}

// cleanOrphans removes temporary files and blobs that no object references.
// It reads the directory in batches so memory does not grow with the number
// of blobs.
func (b *blobStore) cleanOrphans(view func(func(*bolt.Tx) error) error) (removed int, err error) {
	d, err := os.Open(b.dir)
	if err != nil {
		return 0, fmt.Errorf("clean blobs: %w", err)
	}
	defer d.Close()
	for {
		names, rerr := d.Readdirnames(256)
		var orphans []string
		verr := view(func(btx *bolt.Tx) error {
			ref := tx{btx}.blobs()
			for _, name := range names {
				if strings.HasPrefix(name, tmpPrefix) || !validBlobID(name) || ref.Get([]byte(name)) == nil {
					orphans = append(orphans, name)
				}
			}
			return nil
		})
		if verr != nil {
			return removed, fmt.Errorf("clean blobs: %w", verr)
		}
		for _, name := range orphans {
			if err := os.Remove(filepath.Join(b.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, fmt.Errorf("clean blobs: %w", err)
			}
			removed++
		}
		if errors.Is(rerr, io.EOF) || len(names) == 0 {
			return removed, nil
		}
		if rerr != nil {
			return removed, fmt.Errorf("clean blobs: %w", rerr)
		}
	}
}

// pendingBlob is a blob being written: a temporary file until commit.
type pendingBlob struct {
	store     *blobStore
	id        string
	f         *os.File
	committed bool
}

func (p *pendingBlob) Write(b []byte) (int, error) { return p.f.Write(b) }

// commit makes the blob durable under its id.
func (p *pendingBlob) commit() error {
	tmp := p.f.Name()
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("sync blob: %w", err)
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("close blob: %w", err)
	}
	p.f = nil
	if err := os.Rename(tmp, p.store.path(p.id)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("rename blob: %w", err)
	}
	p.committed = true
	return p.store.syncDir()
}

// discard removes the blob, written or not. Safe to call more than once.
func (p *pendingBlob) discard() {
	if p.f != nil {
		name := p.f.Name()
		_ = p.f.Close()
		_ = os.Remove(name)
		p.f = nil
	}
	if p.committed {
		_ = p.store.remove(p.id)
		p.committed = false
	}
}
