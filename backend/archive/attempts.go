package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// ManifestsDir holds, under <prefix>_replayed/, the replay manifests: what
// each replay attempt of an event did, failed ones included, so that an
// attempt survives restarts and is seen from another machine. Its leading
// "_" keeps it apart from every consumer: escape writes a consumer's
// leading "_" as %5F.
//
// A manifest is one object per consumer, arrival hour and batch:
//
//	<prefix>_replayed/_manifests/<consumer>/YYYY/MM/DD/HH/<writtenMillis>-<nonce>.json
//
// The hour is the events' arrival hour, the one their own keys hold, so
// that one listing of the manifests of an hour finds every attempt of the
// events a listing of that hour shows. A manifest holds the attempts of any
// number of events (a bulk replay writes one per hour per batch; a single
// failed replay is a manifest of one), so the production-scale batch mark
// can use the same object, with accepted attempts, in place of a copy per
// event.
const ManifestsDir = "_manifests/"

// ManifestKind names the format of a manifest's body.
const ManifestKind = "sluice.replay-manifest"

// Attempt is one replay attempt of one event: where it was sent, when, and
// what the target answered.
type Attempt struct {
	// ID is the event's id, and Key its waiting object's key.
	ID  string    `json:"id"`
	Key string    `json:"key"`
	At  time.Time `json:"at"`
	// Target is where the event was sent.
	Target string `json:"target"`
	// Status is "accepted", "failed" (may pass later) or "rejected" (the
	// target refused it).
	Status string `json:"status"`
	// Code is the target's short answer: an HTTP status ("503"), an AWS
	// error code ("ThrottlingException"), or "timeout".
	Code string `json:"code,omitempty"`
	// Detail is the answer in full (bounded by the sender).
	Detail string `json:"detail,omitempty"`
	// Tries counts the sends of this attempt, retries included.
	Tries int `json:"tries,omitempty"`
	// Event is, on an accepted attempt that marks the event replayed, the
	// event as it was archived: the manifest is its replayed record, in
	// place of a _replayed/ copy of its own (see marks.go).
	Event *Event `json:"event,omitempty"`
}

// Manifest is the body of one manifest object.
type Manifest struct {
	Kind      string    `json:"kind"`
	Version   int       `json:"version"`
	Consumer  string    `json:"consumer"`
	Hour      time.Time `json:"hour"`
	WrittenAt time.Time `json:"writtenAt"`
	Attempts  []Attempt `json:"attempts"`
}

// ManifestHourPrefix is the key prefix of the manifests of one consumer's
// hour (the hour t falls in).
func ManifestHourPrefix(prefix, consumer string, t time.Time) string {
	return HourPrefix(prefix+ReplayedDir+ManifestsDir, consumer, t)
}

// WriteAttempts records attempts in the archive: one manifest for the
// attempts of each consumer and arrival hour (read from each attempt's
// key), so that a batch of any size costs one PUT per hour it touches. It
// returns the keys written; on an error, the manifests written before it
// stay, and the attempts of the others are not recorded.
func WriteAttempts(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, attempts []Attempt, now time.Time) ([]string, error) {
	written, err := WriteManifests(ctx, s, loc, attempts, now)
	keys := make([]string, len(written))
	for i, w := range written {
		keys[i] = w.Key
	}
	return keys, err
}

// WrittenManifest is one manifest a write stored, and the attempts it
// holds.
type WrittenManifest struct {
	Key      string
	Attempts []Attempt
}

// WriteManifests is WriteAttempts, returning the manifests written with
// the attempts each holds. An accepted attempt holding its Event marks
// that event replayed (see marks.go): once this returns it in a written
// manifest, the event's original can be deleted.
func WriteManifests(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, attempts []Attempt, now time.Time) ([]WrittenManifest, error) {
	if len(attempts) == 0 {
		return nil, nil
	}
	for _, a := range attempts {
		if a.Event != nil && (a.Status != "accepted" || a.Event.ID != a.ID) {
			return nil, fmt.Errorf("mark %s replayed: only an accepted attempt holding its own event marks it", a.Key)
		}
	}
	if err := s.Guard(fmt.Sprintf("record %d replay attempts in %s", len(attempts), loc)); err != nil {
		return nil, err
	}
	type group struct {
		consumer string
		hour     time.Time
	}
	groups := map[group][]Attempt{}
	var order []group
	for _, a := range attempts {
		p, replayed, err := ParseKey(loc.Prefix, a.Key)
		if err != nil {
			return nil, fmt.Errorf("record replay attempt: %w", err)
		}
		if replayed {
			return nil, fmt.Errorf("record replay attempt: %s is a replayed copy, not a waiting event", a.Key)
		}
		g := group{p.Consumer, p.Arrival.UTC().Truncate(time.Hour)}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], a)
	}
	var written []WrittenManifest
	for _, g := range order {
		m := Manifest{Kind: ManifestKind, Version: 1, Consumer: g.consumer, Hour: g.hour, WrittenAt: now.UTC(), Attempts: groups[g]}
		key := ManifestHourPrefix(loc.Prefix, g.consumer, g.hour) + fmt.Sprintf("%d-%s.json", now.UTC().UnixMilli(), nonce())
		if err := putManifest(ctx, s, loc.Bucket, key, m); err != nil {
			return written, err
		}
		written = append(written, WrittenManifest{Key: key, Attempts: groups[g]})
	}
	return written, nil
}

// nonce tells apart manifests written in the same millisecond (by
// concurrent replays, or machines).
func nonce() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// putManifest writes one manifest with its SHA-256, which S3 checks before
// storing and echoes back, as a replayed copy is written (see copy.go); a
// store that echoes no checksum gets the manifest read back instead.
func putManifest(ctx context.Context, s *backend.Session, bucket, key string, m Manifest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode replay manifest: %w", err)
	}
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	checksum := base64.StdEncoding.EncodeToString(sum[:])
	out, err := s.S3().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(checksum),
	})
	s.Audit("archive record replay attempts", bucket+"/"+key, err)
	if err != nil {
		return fmt.Errorf("record replay attempts in %s: %w", objectURL(bucket, key), s.Explain(err))
	}
	switch echoed := aws.ToString(out.ChecksumSHA256); echoed {
	case checksum:
		return nil
	case "":
		return verifyCopy(ctx, s, bucket, key, body)
	default:
		return fmt.Errorf("record replay attempts in %s: the store confirmed SHA-256 %s, not the %s written", objectURL(bucket, key), echoed, checksum)
	}
}

// ListManifests lists the manifest keys of one consumer's hour (the hour t
// falls in), newest first: one ListObjectsV2 call for most hours, whatever
// the number of events, so that a list of an hour's events can show their
// attempts without a call per event.
func ListManifests(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, t time.Time) ([]string, error) {
	prefix := ManifestHourPrefix(loc.Prefix, consumer, t)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(prefix), EncodingType: types.EncodingTypeUrl}
	var keys []string
	for {
		out, err := s.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, prefix, s.Explain(err))
		}
		for _, o := range out.Contents {
			key, err := listed(o.Key, out.EncodingType)
			if err != nil {
				return nil, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, prefix, err)
			}
			if name := strings.TrimPrefix(key, prefix); !strings.Contains(name, "/") && strings.HasSuffix(name, ".json") {
				keys = append(keys, key)
			}
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	// Names start with the time written, in milliseconds of equal width
	// until 2286: key order is time order.
	slices.Sort(keys)
	slices.Reverse(keys)
	return keys, nil
}

// GetManifest reads one manifest.
func GetManifest(ctx context.Context, s *backend.Session, bucket, key string) (Manifest, error) {
	body, err := readObject(ctx, s, bucket, key)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("read %s: decode replay manifest: %w", objectURL(bucket, key), err)
	}
	if m.Kind != ManifestKind {
		return m, fmt.Errorf("read %s: not a sluice replay manifest (kind %q)", objectURL(bucket, key), m.Kind)
	}
	return m, nil
}

// GetManifests reads manifests, a bounded number at once: those read, by
// key, and the error of each that was not.
func GetManifests(ctx context.Context, s *backend.Session, bucket string, keys []string, o ManyOptions) (map[string]Manifest, map[string]error) {
	res := resultsFor(keys)
	ms := make([]Manifest, len(res))
	forEach(ctx, len(res), o.limit(), func(ctx context.Context, i int) {
		ms[i], res[i].Err = GetManifest(ctx, s, bucket, res[i].Key)
	})
	got, errs := make(map[string]Manifest, len(res)), map[string]error{}
	for i, r := range res {
		if r.Err != nil {
			errs[r.Key] = r.Err
			continue
		}
		got[r.Key] = ms[i]
	}
	return got, errs
}

// History is the replay attempts of events, by event id, oldest first.
type History map[string][]Attempt

// Add adds a manifest's attempts; adding the same manifest twice adds
// nothing more.
func (h History) Add(m Manifest) {
	for _, a := range m.Attempts {
		if a.ID == "" {
			continue
		}
		// A history is about what happened, not the event: the body a
		// marking manifest holds stays with the manifest.
		a.Event = nil
		list := h[a.ID]
		if slices.Contains(list, a) {
			continue
		}
		i, _ := slices.BinarySearchFunc(list, a, func(x, y Attempt) int { return x.At.Compare(y.At) })
		h[a.ID] = slices.Insert(list, i, a)
	}
}

// Last is the latest attempt of the event id.
func (h History) Last(id string) (Attempt, bool) {
	list := h[id]
	if len(list) == 0 {
		return Attempt{}, false
	}
	return list[len(list)-1], true
}

// HourHistory reads every replay attempt recorded for one consumer's hour:
// one listing of the hour's manifests, then each manifest. What could not
// be read is returned beside what could.
func HourHistory(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, t time.Time, o ManyOptions) (History, error) {
	keys, err := ListManifests(ctx, s, loc, consumer, t)
	if err != nil {
		return History{}, err
	}
	got, errs := GetManifests(ctx, s, loc.Bucket, keys, o)
	h := History{}
	for _, m := range got {
		h.Add(m)
	}
	var all []error
	for _, k := range keys {
		if err := errs[k]; err != nil {
			all = append(all, err)
		}
	}
	if len(all) > 0 {
		return h, fmt.Errorf("%d of %d replay manifests unreadable; the first: %w", len(all), len(keys), all[0])
	}
	return h, nil
}

// AttachAttempts sets the Attempts of each listed object from the
// manifests of the hours the objects fall in: one listing (and the reads
// of its manifests) per consumer and hour, never a call per event.
func AttachAttempts(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, objs []Object, o ManyOptions) error {
	type hourOf struct {
		consumer string
		hour     time.Time
	}
	read := map[hourOf]History{}
	var errs []error
	for i := range objs {
		hk := hourOf{objs[i].Consumer, objs[i].Arrival.UTC().Truncate(time.Hour)}
		h, ok := read[hk]
		if !ok {
			var err error
			h, err = HourHistory(ctx, s, loc, hk.consumer, hk.hour, o)
			if err != nil {
				errs = append(errs, err)
			}
			read[hk] = h
		}
		objs[i].Attempts = h[objs[i].ID]
	}
	if len(errs) > 0 {
		return fmt.Errorf("replay attempts: %w", errs[0])
	}
	return nil
}

// Answer is the attempt's outcome in a word or two: its status and the
// target's short answer ("failed 503", "rejected ValidationException").
func (a Attempt) Answer() string {
	if a.Code == "" {
		return a.Status
	}
	return a.Status + " " + a.Code
}
