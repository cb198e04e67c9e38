package pipes

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Store layout, under the top-level bucket "pipes":
//
//	defs/<region>\x00<name>   → pipeRecord (JSON)
//	ckpt/<pipe uid>/<shardId> → checkpoint (JSON)
//
// Checkpoints hang off the pipe's UID rather than its name, so a pipe
// re-created under a deleted one's name starts afresh, and deleting a pipe
// drops its checkpoints in the same transaction.
var (
	bucketRoot = []byte("pipes")
	bucketDefs = []byte("defs")
	bucketCkpt = []byte("ckpt")
)

// checkpoint is how far a pipe got in one shard.
type checkpoint struct {
	// Seq is the last sequence number fully handled (delivered, or sent
	// to the DLQ, or dropped after exhausting its retries).
	Seq string `json:"seq,omitempty"`
	// Done means the shard was closed and read to its end, so its
	// children may start.
	Done bool `json:"done,omitempty"`
}

func pipeKey(region, name string) []byte {
	k := make([]byte, 0, len(region)+1+len(name))
	k = append(k, region...)
	k = append(k, 0)
	return append(k, name...)
}

func root(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketRoot) }

func initBuckets(tx *bolt.Tx) error {
	r, err := tx.CreateBucketIfNotExists(bucketRoot)
	if err != nil {
		return err
	}
	for _, b := range [][]byte{bucketDefs, bucketCkpt} {
		if _, err := r.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// loadPipe reads a pipe in tx; nil when it does not exist.
func loadPipe(tx *bolt.Tx, region, name string) (*pipeRecord, error) {
	raw := root(tx).Bucket(bucketDefs).Get(pipeKey(region, name))
	if raw == nil {
		return nil, nil
	}
	var p pipeRecord
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decode pipe %s: %w", name, err)
	}
	return &p, nil
}

func putPipe(tx *bolt.Tx, p *pipeRecord) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode pipe %s: %w", p.Name, err)
	}
	return root(tx).Bucket(bucketDefs).Put(pipeKey(p.Region, p.Name), raw)
}

// removePipe deletes a pipe and its checkpoints.
func removePipe(tx *bolt.Tx, p *pipeRecord) error {
	if err := root(tx).Bucket(bucketDefs).Delete(pipeKey(p.Region, p.Name)); err != nil {
		return err
	}
	err := root(tx).Bucket(bucketCkpt).DeleteBucket([]byte(p.UID))
	if errors.Is(err, bolt.ErrBucketNotFound) {
		return nil
	}
	return err
}

// allPipes decodes every stored pipe, skipping none: a record that does
// not decode is an error, since silently dropping a pipe would stop it.
func allPipes(tx *bolt.Tx) ([]*pipeRecord, error) {
	var out []*pipeRecord
	err := root(tx).Bucket(bucketDefs).ForEach(func(_, v []byte) error {
		var p pipeRecord
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("decode pipe: %w", err)
		}
		out = append(out, &p)
		return nil
	})
	return out, err
}

func loadCheckpoints(tx *bolt.Tx, uid string) (map[string]checkpoint, error) {
	out := map[string]checkpoint{}
	b := root(tx).Bucket(bucketCkpt).Bucket([]byte(uid))
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var c checkpoint
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode checkpoint %s: %w", k, err)
		}
		out[string(k)] = c
		return nil
	})
	return out, err
}

// errPipeGone tells a runner that its pipe was deleted or replaced.
var errPipeGone = errors.New("pipe no longer exists")

// saveCheckpoint stores c for shard, provided the pipe still exists as
// the runner knows it.
func saveCheckpoint(tx *bolt.Tx, region, name, uid, shard string, c checkpoint) error {
	p, err := loadPipe(tx, region, name)
	if err != nil {
		return err
	}
	if p == nil || p.UID != uid {
		return errPipeGone
	}
	b, err := root(tx).Bucket(bucketCkpt).CreateBucketIfNotExists([]byte(uid))
	if err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put([]byte(shard), raw)
}
