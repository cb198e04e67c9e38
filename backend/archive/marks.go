package archive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sluicehq/sluice/backend"
)

// A bulk replay marks the events a target accepted in batches: one
// manifest (see attempts.go) per consumer, arrival hour and batch, whose
// accepted attempts each hold the event as it was archived. That costs one
// PUT per batch instead of a copy per event, and once S3 has confirmed the
// manifest's checksum the originals are deleted in DeleteObjects batches.
//
// Readers see such an event as they see a _replayed/ copy: a replayed
// listing (List, ListHour) returns it as an Object whose key is its
// manifest entry, <manifest key>#<event id>, and Get and GetMany read that
// key as they read a copy, with the event's Replay filled in from the
// attempt. Copies written by hand marks, or by earlier versions, keep
// working beside them.

// manifestEntrySep joins a manifest's key and an event id into the key of
// the event's entry. No event key holds it: escape writes "#" as %23.
const manifestEntrySep = "#"

// ManifestEntryKey is the key under which a listing shows the event id
// recorded replayed in the manifest at manifestKey.
func ManifestEntryKey(manifestKey, id string) string {
	return manifestKey + manifestEntrySep + id
}

// SplitManifestEntry reads a key made by ManifestEntryKey; ok is false for
// any other key.
func SplitManifestEntry(key string) (manifestKey, id string, ok bool) {
	i := strings.LastIndex(key, manifestEntrySep)
	if i < 0 {
		return "", "", false
	}
	manifestKey, id = key[:i], key[i+1:]
	if id == "" || strings.Contains(id, "/") || !strings.HasSuffix(manifestKey, ".json") ||
		!strings.Contains(manifestKey, ReplayedDir+ManifestsDir) {
		return "", "", false
	}
	return manifestKey, id, true
}

// eventInManifest is the event id as the manifest marks it replayed: its
// latest accepted attempt that holds the event, with the attempt as its
// Replay.
func eventInManifest(m Manifest, id string) (Event, bool) {
	for i := len(m.Attempts) - 1; i >= 0; i-- {
		a := m.Attempts[i]
		if a.ID != id || a.Event == nil || a.Status != "accepted" {
			continue
		}
		e := *a.Event
		e.Replay = &Replay{At: a.At, Target: a.Target, Result: a.Status, Code: a.Code, Tries: a.Tries}
		return e, true
	}
	return Event{}, false
}

// getManifestEntry reads the event at a manifest entry's key.
func getManifestEntry(ctx context.Context, s *backend.Session, bucket, manifestKey, id string) (Event, error) {
	m, err := GetManifest(ctx, s, bucket, manifestKey)
	if err != nil {
		return Event{}, err
	}
	return entryOf(m, bucket, manifestKey, id)
}

func entryOf(m Manifest, bucket, manifestKey, id string) (Event, error) {
	e, ok := eventInManifest(m, id)
	if !ok {
		return Event{}, fmt.Errorf("read %s: event %s is not marked replayed in it: %w", objectURL(bucket, manifestKey), id, ErrNotFound)
	}
	return e, nil
}

// replayedInManifests lists the events the manifests of one consumer's
// hour mark replayed, newest manifest first, each once, as a listing of
// copies shows copies. What could not be read is returned beside what
// could.
func replayedInManifests(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, hour time.Time) ([]Object, error) {
	keys, err := ListManifests(ctx, s, loc, consumer, hour)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	got, errs := GetManifests(ctx, s, loc.Bucket, keys, ManyOptions{})
	seen := map[string]bool{}
	var objs []Object
	var bad []error
	for _, k := range keys {
		m, ok := got[k]
		if !ok {
			bad = append(bad, errs[k])
			continue
		}
		for i := len(m.Attempts) - 1; i >= 0; i-- {
			a := m.Attempts[i]
			if a.Event == nil || a.Status != "accepted" || seen[a.ID] {
				continue
			}
			p, replayed, err := ParseKey(loc.Prefix, a.Key)
			if err != nil || replayed || p.ID != a.ID {
				continue // not an event of this archive: nothing to show
			}
			seen[a.ID] = true
			objs = append(objs, Object{
				Key: ManifestEntryKey(k, a.ID), Bucket: loc.Bucket, Consumer: p.Consumer, Arrival: p.Arrival,
				PartitionKey: p.PartitionKey, ID: p.ID, Size: int64(len(a.Event.Record.Data)),
				LastModified: m.WrittenAt, Replayed: true,
			})
		}
	}
	if len(bad) > 0 {
		return objs, fmt.Errorf("%d of %d replay manifests unreadable; the first: %w", len(bad), len(keys), bad[0])
	}
	return objs, nil
}

// ParseManifestEntry reads the key of a manifest entry: the archive's
// prefix and the consumer whose manifest it is, and the event's id. It
// reads the key alone; the manifest may not hold the event.
func ParseManifestEntry(key string) (prefix, consumer, id string, err error) {
	manifestKey, id, ok := SplitManifestEntry(key)
	if !ok {
		return "", "", "", fmt.Errorf("key %q is not <manifest key>#<event id>", key)
	}
	at := strings.LastIndex(manifestKey, ReplayedDir+ManifestsDir)
	prefix = manifestKey[:at]
	segs := strings.Split(manifestKey[at+len(ReplayedDir+ManifestsDir):], "/")
	if len(segs) != 6 {
		return "", "", "", fmt.Errorf("key %q: the manifest is not <consumer>/YYYY/MM/DD/HH/<name>.json", key)
	}
	if consumer, err = unescape(segs[0]); err != nil || consumer == "" {
		return "", "", "", fmt.Errorf("key %q: consumer: %v", key, err)
	}
	return prefix, consumer, id, nil
}
