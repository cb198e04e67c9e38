package archive

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/backend"
)

// Query selects a consumer's archived events.
type Query struct {
	Consumer string
	// Since and Until bound the arrival time: Since ≤ arrival < Until. A
	// zero time leaves that side open.
	Since, Until time.Time
	// PartitionKey, when set, keeps only events with exactly this key. It
	// is read from the object key, so no object is fetched.
	PartitionKey string
	// Replayed lists the copies under _replayed/ instead of the events
	// still waiting.
	Replayed bool
}

// Object is one archived event as a listing shows it: what its key and the
// listing say, without reading the object.
type Object struct {
	Key          string    `json:"key"`
	Bucket       string    `json:"bucket"`
	Consumer     string    `json:"consumer"`
	Arrival      time.Time `json:"arrival"`
	PartitionKey string    `json:"partitionKey"`
	ID           string    `json:"id"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
	Replayed     bool      `json:"replayed"`
	// Attempts are the event's replay attempts, oldest first, once
	// AttachAttempts has read them; a listing alone leaves them empty.
	Attempts []Attempt `json:"attempts,omitempty"`
}

// List pages through a consumer's events newest first, one hour per page.
// It lists only the years, months, days and hours that exist (S3's
// delimiter listing), so a sparse archive costs a few calls, not one per
// hour of the range; nothing is read until the caller asks for a page.
func List(s *backend.Session, loc backend.ArchiveLocation, q Query) *backend.Pager[Object] {
	return list(s, loc, q, 0)
}

// list is List with the page size of each S3 listing (0 for S3's 1,000),
// so that tests can cross page boundaries with few objects.
func list(s *backend.Session, loc backend.ArchiveLocation, q Query, pageSize int32) *backend.Pager[Object] {
	w := newHourWalker(s, loc.Bucket, consumerRoot(loc, q.Consumer, q.Replayed), q.Since, q.Until, pageSize)
	// Replayed events are copies, or entries of the manifests that marked
	// them: both trees are walked, hour by hour, newest first.
	var mw *hourWalker
	if q.Replayed {
		mw = newHourWalker(s, loc.Bucket, ConsumerPrefix(loc.Prefix+ReplayedDir+ManifestsDir, q.Consumer), q.Since, q.Until, pageSize)
	}
	return backend.NewPager(func(ctx context.Context, _ *string) ([]Object, *string, error) {
		if q.Consumer == "" {
			return nil, nil, fmt.Errorf("list archive %s: no consumer given", loc)
		}
		// Hours with nothing that passes the filters are skipped, so that a
		// page is empty only at the end.
		for {
			hour, ok, err := w.peek(ctx)
			if err != nil {
				return nil, nil, err
			}
			var mhour node
			var mok bool
			if mw != nil {
				if mhour, mok, err = mw.peek(ctx); err != nil {
					return nil, nil, err
				}
			}
			if !ok && !mok {
				return nil, nil, nil
			}
			useCopies := ok && (!mok || !hour.start.Before(mhour.start))
			useManifests := mok && (!ok || !mhour.start.Before(hour.start))
			var objs []Object
			if useCopies {
				if objs, err = listHour(ctx, s, loc, hour.prefix, q.PartitionKey, pageSize); err != nil {
					return nil, nil, err
				}
			}
			if useManifests {
				marked, err := replayedInManifests(ctx, s, loc, q.Consumer, mhour.start)
				if err != nil {
					return nil, nil, err
				}
				objs = mergeReplayed(objs, marked)
			}
			token := hour.prefix
			if useCopies {
				w.pop()
			}
			if useManifests {
				mw.pop()
				token = mhour.prefix
			}
			objs = slices.DeleteFunc(objs, func(o Object) bool { return !q.keeps(o) })
			if len(objs) > 0 {
				return objs, aws.String(token), nil
			}
		}
	})
}

// mergeReplayed adds to an hour's copies the events its manifests mark
// that have no copy, newest first.
func mergeReplayed(copies, marked []Object) []Object {
	if len(marked) == 0 {
		return copies
	}
	have := make(map[string]bool, len(copies))
	for _, c := range copies {
		have[c.ID] = true
	}
	for _, m := range marked {
		if !have[m.ID] {
			copies = append(copies, m)
		}
	}
	slices.SortFunc(copies, newestFirst)
	return copies
}

func (q Query) keeps(o Object) bool {
	if q.PartitionKey != "" && o.PartitionKey != q.PartitionKey {
		return false
	}
	if !q.Since.IsZero() && o.Arrival.Before(q.Since) {
		return false
	}
	if !q.Until.IsZero() && !o.Arrival.Before(q.Until) {
		return false
	}
	return true
}

// ListHour lists every event of one consumer's hour (the hour t falls in),
// newest first: the events under one node of a consumer → day → hour tree.
// Replayed, it lists the hour's copies and the events its manifests mark.
func ListHour(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string, t time.Time, replayed bool) ([]Object, error) {
	if !replayed {
		return listHour(ctx, s, loc, HourPrefix(loc.Prefix, consumer, t), "", 0)
	}
	copies, err := listHour(ctx, s, loc, HourPrefix(loc.Prefix+ReplayedDir, consumer, t), "", 0)
	if err != nil {
		return nil, err
	}
	marked, err := replayedInManifests(ctx, s, loc, consumer, t)
	return mergeReplayed(copies, marked), err
}

// Consumers lists the consumers that have events in the archive (replayed
// or not), sorted by name.
func Consumers(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation) ([]string, error) {
	seen := map[string]bool{}
	for _, root := range []string{loc.Prefix, loc.Prefix + ReplayedDir, loc.Prefix + ReplayedDir + ManifestsDir} {
		dirs, err := listDirs(ctx, s, loc.Bucket, root)
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			name := strings.TrimSuffix(strings.TrimPrefix(d, root), "/")
			// A raw leading "_" is never a consumer (escape writes it
			// %5F): it is _replayed/, or _manifests/ under it.
			if strings.HasPrefix(name, "_") {
				continue
			}
			if c, err := unescape(name); err == nil && c != "" {
				seen[c] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	slices.Sort(out)
	return out, nil
}

// Hours lists the hours that hold a consumer's waiting events, newest
// first, each as the UTC start of the hour.
func Hours(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, consumer string) ([]time.Time, error) {
	w := newHourWalker(s, loc.Bucket, consumerRoot(loc, consumer, false), time.Time{}, time.Time{}, 0)
	var out []time.Time
	for {
		h, ok, err := w.peek(ctx)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, h.start)
		w.pop()
	}
}

func consumerRoot(loc backend.ArchiveLocation, consumer string, replayed bool) string {
	if replayed {
		return ConsumerPrefix(loc.Prefix+ReplayedDir, consumer)
	}
	return ConsumerPrefix(loc.Prefix, consumer)
}

// listHour lists every key under an hour's prefix, following continuation
// tokens to the end, and returns the events newest first. A partition key
// narrows the listing to the keys that start with it.
func listHour(ctx context.Context, s *backend.Session, loc backend.ArchiveLocation, prefix, partitionKey string, pageSize int32) ([]Object, error) {
	listPrefix := prefix
	if partitionKey != "" {
		listPrefix += escape(partitionKey) + "-"
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(loc.Bucket), Prefix: aws.String(listPrefix), EncodingType: types.EncodingTypeUrl}
	if pageSize > 0 {
		in.MaxKeys = aws.Int32(pageSize)
	}
	var objs []Object
	for {
		out, err := s.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, listPrefix, s.Explain(err))
		}
		for _, o := range out.Contents {
			key, err := listed(o.Key, out.EncodingType)
			if err != nil {
				return nil, fmt.Errorf("list s3://%s/%s: %w", loc.Bucket, listPrefix, err)
			}
			p, replayed, err := ParseKey(loc.Prefix, key)
			if err != nil {
				continue // not an archived event: someone else's object
			}
			objs = append(objs, Object{
				Key: key, Bucket: loc.Bucket, Consumer: p.Consumer, Arrival: p.Arrival,
				PartitionKey: p.PartitionKey, ID: p.ID, Size: aws.ToInt64(o.Size),
				LastModified: aws.ToTime(o.LastModified), Replayed: replayed,
			})
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	slices.SortFunc(objs, newestFirst)
	return objs, nil
}

func newestFirst(a, b Object) int {
	if c := b.Arrival.Compare(a.Arrival); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// listDirs lists the common prefixes one level under prefix, in key order,
// following continuation tokens to the end.
func listDirs(ctx context.Context, s *backend.Session, bucket, prefix string) ([]string, error) {
	return listDirsPaged(ctx, s, bucket, prefix, 0)
}

func listDirsPaged(ctx context.Context, s *backend.Session, bucket, prefix string, pageSize int32) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl}
	if pageSize > 0 {
		in.MaxKeys = aws.Int32(pageSize)
	}
	var dirs []string
	for {
		out, err := s.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, s.Explain(err))
		}
		for _, p := range out.CommonPrefixes {
			dir, err := listed(p.Prefix, out.EncodingType)
			if err != nil {
				return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
			}
			dirs = append(dirs, dir)
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			return dirs, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// listed is a key or common prefix as a listing gave it. Listings ask for
// encoding-type=url: S3 can only send keys holding control characters that
// way (in XML 1.0 it writes them as references that no XML 1.0 parser
// reads), and the SDK does not decode them. A server that ignores the
// parameter does not echo it, and its keys are taken as they are.
func listed(v *string, enc types.EncodingType) (string, error) {
	if enc != types.EncodingTypeUrl {
		return aws.ToString(v), nil
	}
	k, err := url.QueryUnescape(aws.ToString(v))
	if err != nil {
		return "", fmt.Errorf("key %q is not URL-encoded: %w", aws.ToString(v), err)
	}
	return k, nil
}
