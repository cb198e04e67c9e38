// Package complete finds the names a shell completes on a command line:
// streams, shards, queues and DLQs, consumers and archive keys. Every
// lookup only lists (never receives, writes or describes one by one),
// reads at most one page where a listing pages, and returns what it read
// or an error; the shell side decides to offer nothing on an error.
package complete

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
)

// MaxCandidates bounds a listing: a shell shows no more than a screenful
// anyway, and one page keeps completion to one call per service.
const MaxCandidates = 1000

// Streams are the Kinesis streams' names that start with prefix.
func Streams(ctx context.Context, s *backend.Session, prefix string) ([]string, error) {
	names, err := inventory.ListStreams(s).Next(ctx)
	if err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	return withPrefix(names, prefix), nil
}

// Shards are a stream's shard ids that start with prefix.
func Shards(ctx context.Context, s *backend.Session, stream, prefix string) ([]string, error) {
	shards, err := inventory.ListShards(ctx, s, stream)
	if err != nil {
		return nil, fmt.Errorf("list the shards of %s: %w", stream, err)
	}
	ids := make([]string, 0, len(shards))
	for _, sh := range shards {
		ids = append(ids, sh.ID)
	}
	return withPrefix(ids, prefix), nil
}

// Queues are the SQS queues' names that start with prefix.
func Queues(ctx context.Context, s *backend.Session, prefix string) ([]string, error) {
	urls, err := inventory.ListQueues(s).Next(ctx)
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	names := make([]string, 0, len(urls))
	for _, u := range urls {
		names = append(names, inventory.QueueName(u))
	}
	return withPrefix(names, prefix), nil
}

// DLQs are the names of the queues that are dead-letter targets (as
// `sluice dlq ls` finds them), that start with prefix. What could be
// read is offered even when a service failed.
func DLQs(ctx context.Context, s *backend.Session, declared []config.Pipeline, prefix string) ([]string, error) {
	l := inventory.ListDLQs(ctx, s, declared)
	names := make([]string, 0, len(l.DLQs))
	for _, d := range l.DLQs {
		names = append(names, d.Queue.Name)
	}
	if len(names) == 0 && len(l.Failures) > 0 {
		return nil, fmt.Errorf("list DLQs: %w", l.Failures.Err())
	}
	return withPrefix(names, prefix), nil
}

// Consumers are the consumers (pipes, functions) whose events an archive
// holds, as `sluice archive ls` finds them, that start with prefix.
func Consumers(ctx context.Context, s *backend.Session, declared []config.Pipeline, prefix string) ([]string, error) {
	found, err := inventory.NewLocator(s, declared, "").ArchiveConsumers(ctx, backend.ArchiveLocation{})
	if err != nil {
		return nil, fmt.Errorf("list the archives' consumers: %w", err)
	}
	names := make([]string, 0, len(found.Consumers))
	for _, c := range found.Consumers {
		names = append(names, c.Name)
	}
	return withPrefix(names, prefix), nil
}

// Running are the consumers a stream feeds (EventBridge pipes by name,
// Lambda event source mappings as esm/UUID), as `sluice consumers ls`
// lists them, that start with prefix.
func Running(ctx context.Context, s *backend.Session, prefix string) ([]string, error) {
	found, fs := consumers.List(ctx, s, consumers.Filter{})
	if len(found) == 0 && len(fs) > 0 {
		return nil, fmt.Errorf("list consumers: %w", fs[0])
	}
	names := make([]string, 0, len(found))
	for _, c := range found {
		if c.Kind == consumers.KindESM {
			names = append(names, "esm/"+c.Name)
			continue
		}
		names = append(names, c.Name)
	}
	return withPrefix(names, prefix), nil
}

// ArchiveKeys completes an archive key one folder at a time, as a shell
// completes a path: the folders (ending in "/") and objects directly
// under the folder typed so far that start with what follows it. A key
// typed as s3://BUCKET/… is looked up in that bucket, and s3:// alone
// offers the known archives' buckets; a bare key is looked up in every
// archive of a known pipeline.
func ArchiveKeys(ctx context.Context, s *backend.Session, declared []config.Pipeline, typed string) ([]string, error) {
	if rest, ok := strings.CutPrefix(typed, "s3://"); ok {
		bucket, key, found := strings.Cut(rest, "/")
		if !found {
			buckets, err := archiveBuckets(ctx, s, declared)
			if err != nil {
				return nil, err
			}
			var out []string
			for _, b := range buckets {
				out = append(out, "s3://"+b+"/")
			}
			return withPrefix(out, typed), nil
		}
		keys, err := level(ctx, s, bucket, key)
		if err != nil {
			return nil, err
		}
		for i, k := range keys {
			keys[i] = "s3://" + bucket + "/" + k
		}
		return keys, nil
	}
	buckets, err := archiveBuckets(ctx, s, declared)
	if err != nil {
		return nil, err
	}
	var out []string
	var firstErr error
	for _, b := range buckets {
		keys, err := level(ctx, s, b, typed)
		if err != nil {
			firstErr = cmpOr(firstErr, err)
			continue
		}
		out = append(out, keys...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// archiveBuckets are the buckets of the archives the pipelines name.
func archiveBuckets(ctx context.Context, s *backend.Session, declared []config.Pipeline) ([]string, error) {
	d, err := inventory.NewLocator(s, declared, "").Discovery(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the archives: %w", err)
	}
	var buckets []string
	for _, p := range d.Pipelines {
		if p.Archive.Bucket != "" && !slices.Contains(buckets, p.Archive.Bucket) {
			buckets = append(buckets, p.Archive.Bucket)
		}
	}
	slices.Sort(buckets)
	return buckets, nil
}

// level lists, in one page, the folders and objects directly under the
// folder of typed that start with typed.
func level(ctx context.Context, s *backend.Session, bucket, typed string) ([]string, error) {
	out, err := s.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(typed), Delimiter: aws.String("/"),
		MaxKeys: aws.Int32(MaxCandidates),
	})
	if err != nil {
		return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, typed, s.Explain(err))
	}
	var keys []string
	for _, p := range out.CommonPrefixes {
		keys = append(keys, aws.ToString(p.Prefix))
	}
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return typeable(keys), nil
}

// typeable drops what a shell must not be handed: a name with a control
// character, an escape sequence or a bidi mark is not shown inert in a
// completion menu, and a line break would split the reply.
func typeable(names []string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return n == "" || inert.Line(n) != n || strings.ContainsAny(n, " \t") })
}

func withPrefix(names []string, prefix string) []string {
	out := make([]string, 0, len(names))
	for _, n := range typeable(names) {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	if len(out) > MaxCandidates {
		out = out[:MaxCandidates]
	}
	return out
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
