package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/config"
)

// Locator finds the archive of a consumer or of an event key, and a
// consumer's replay target: from the config when it says, without any
// discovery (so a declared pipeline works when Pipes is denied or
// silent), else from discovery, run at most once per Locator.
type Locator struct {
	s        *backend.Session
	declared []config.Pipeline
	flag     string
	opts     []Option

	mu   sync.Mutex
	done bool
	d    Discovery
	err  error
}

// NewLocator makes a Locator over the config's pipelines; archiveFlag
// is the archive of pipelines that neither the config nor a tag gives
// one ("" for none).
func NewLocator(s *backend.Session, declared []config.Pipeline, archiveFlag string, opts ...Option) *Locator {
	return &Locator{s: s, declared: declared, flag: archiveFlag, opts: opts}
}

// Discovery discovers the pipelines, once.
func (l *Locator) Discovery(ctx context.Context) (Discovery, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.d, l.err = Discover(ctx, l.s, l.declared, l.flag, l.opts...)
		l.done = true
	}
	return l.d, l.err
}

// declaredFor is the config's pipeline of consumer.
func (l *Locator) declaredFor(consumer string) (config.Pipeline, bool) {
	for _, d := range l.declared {
		if firstSet(d.Consumer, d.Pipe) == consumer {
			return d, true
		}
	}
	return config.Pipeline{}, false
}

// pipeline is consumer's discovered pipeline; the error says what
// discovery could not read when none is found.
func (l *Locator) pipeline(ctx context.Context, consumer string) (backend.Pipeline, bool, error) {
	d, err := l.Discovery(ctx)
	if err != nil {
		return backend.Pipeline{}, false, fmt.Errorf("find the pipelines: %w", err)
	}
	if p, ok := PipelineForConsumer(d.Pipelines, consumer); ok {
		return p, true, nil
	}
	if len(d.Failures) > 0 {
		return backend.Pipeline{}, false, fmt.Errorf("pipelines not fully discovered: %w", d.Failures.Err())
	}
	return backend.Pipeline{}, false, nil
}

// ConsumerArchive is where a consumer's events are: flag (--archive),
// else the config's archive for it, else its discovered pipeline's.
func (l *Locator) ConsumerArchive(ctx context.Context, consumer, flag string) (backend.ArchiveLocation, error) {
	loc, err := flagLocation(flag)
	if err != nil || loc.IsSet() {
		return loc, err
	}
	if d, ok := l.declaredFor(consumer); ok && d.Archive != "" {
		return configLocation(d)
	}
	p, ok, err := l.pipeline(ctx, consumer)
	if !ok || !p.Archive.IsSet() {
		return loc, errors.Join(fmt.Errorf("consumer %s: no archive known: declare it in the sluice config (pipelines: - consumer: %s, archive: s3://BUCKET/PREFIX), tag its DLQ or pipe with %s=s3://BUCKET/PREFIX, or pass --archive s3://BUCKET/PREFIX",
			consumer, consumer, ArchiveTag), err)
	}
	return p.Archive, nil
}

// ReplayTarget is the config's replay target of consumer, else its
// discovered pipeline's.
func (l *Locator) ReplayTarget(ctx context.Context, consumer string) (backend.Target, error) {
	if d, ok := l.declaredFor(consumer); ok && d.ReplayTarget != "" {
		return backend.ParseTarget(d.ReplayTarget)
	}
	p, ok, err := l.pipeline(ctx, consumer)
	if !ok || p.Target.Kind == backend.TargetNone {
		return backend.Target{}, errors.Join(fmt.Errorf("consumer %s: no replay target known: pass --to, or set replay_target for its pipeline in the sluice config", consumer), err)
	}
	return p.Target, nil
}

// KeyArchive finds the archive of an event key, given as a key or as
// s3://BUCKET/KEY, and returns the key alone. The prefix is flag's, else
// read from the key; the bucket is the URL's, flag's, else the one of
// the key's consumer's pipeline.
func (l *Locator) KeyArchive(ctx context.Context, ref, flag string) (backend.ArchiveLocation, string, error) {
	loc, err := flagLocation(flag)
	if err != nil {
		return loc, "", err
	}
	key := ref
	if rest, ok := strings.CutPrefix(ref, "s3://"); ok {
		bucket, k, found := strings.Cut(rest, "/")
		if !found || bucket == "" || k == "" {
			return loc, "", fmt.Errorf("%q is not s3://BUCKET/KEY", ref)
		}
		if loc.IsSet() && loc.Bucket != bucket {
			return loc, "", fmt.Errorf("%s is not in the bucket of --archive %s", ref, loc)
		}
		loc.Bucket, key = bucket, k
	}
	if prefix, consumer, _, err := archive.ParseManifestEntry(key); err == nil {
		// An event a replay manifest marks: read from the manifest.
		return l.entryArchive(ctx, loc, key, prefix, consumer)
	}
	if loc.Prefix == "" || !strings.HasPrefix(key, loc.Prefix) {
		prefix, err := archive.PrefixOf(key)
		if err != nil {
			return loc, "", err
		}
		if loc.Prefix != "" {
			return loc, "", fmt.Errorf("key %s is not under the prefix of --archive %s", key, loc)
		}
		loc.Prefix = prefix
	}
	parts, _, err := archive.ParseKey(loc.Prefix, key)
	if err != nil {
		return loc, "", err
	}
	if loc.Bucket == "" {
		found, err := l.ConsumerArchive(ctx, parts.Consumer, "")
		if err != nil {
			return loc, "", fmt.Errorf("key %s: give the key as s3://BUCKET/KEY or pass --archive s3://BUCKET/PREFIX: %w", key, err)
		}
		loc = found
		if !strings.HasPrefix(key, loc.Prefix) {
			return loc, "", fmt.Errorf("key %s is not under the archive of consumer %s, %s", key, parts.Consumer, loc)
		}
	}
	return loc, key, nil
}

// entryArchive resolves the key of a manifest entry (see archive's
// marks.go) as KeyArchive resolves an event's key.
func (l *Locator) entryArchive(ctx context.Context, loc backend.ArchiveLocation, key, prefix, consumer string) (backend.ArchiveLocation, string, error) {
	if loc.Prefix != "" && loc.Prefix != prefix {
		return loc, "", fmt.Errorf("key %s is not under the prefix of --archive %s", key, loc)
	}
	loc.Prefix = prefix
	if loc.Bucket == "" {
		found, err := l.ConsumerArchive(ctx, consumer, "")
		if err != nil {
			return loc, "", fmt.Errorf("key %s: give the key as s3://BUCKET/KEY or pass --archive s3://BUCKET/PREFIX: %w", key, err)
		}
		if found.Prefix != prefix {
			return loc, "", fmt.Errorf("key %s is not under the archive of consumer %s, %s", key, consumer, found)
		}
		loc = found
	}
	return loc, key, nil
}

// KeysArchive resolves several keys, which must share one archive.
func (l *Locator) KeysArchive(ctx context.Context, refs []string, flag string) (backend.ArchiveLocation, []string, error) {
	var loc backend.ArchiveLocation
	keys := make([]string, 0, len(refs))
	for i, ref := range refs {
		lc, k, err := l.KeyArchive(ctx, ref, flag)
		if err != nil {
			return loc, nil, err
		}
		if i > 0 && (lc.Bucket != loc.Bucket || lc.Prefix != loc.Prefix) {
			return loc, nil, fmt.Errorf("the keys are in different archives (%s and %s): give them one archive at a time", loc, lc)
		}
		loc = lc
		keys = append(keys, k)
	}
	return loc, keys, nil
}

// ArchiveConsumer is a consumer whose events an archive holds: a
// pipeline with an archive, or one named only by its archive's folders
// (a pipeline since removed).
type ArchiveConsumer struct {
	Name     string                  `json:"name"`
	Kind     string                  `json:"kind"`
	Stream   string                  `json:"stream,omitempty"`
	Archive  backend.ArchiveLocation `json:"archive"`
	Target   backend.Target          `json:"target"`
	Pipeline bool                    `json:"pipeline"`
	// Unread, set by KeepUnread on a consumer listed before that the
	// latest read could not read again, is the failure that hid it: the
	// rest is as it was last read.
	Unread *backend.Failure `json:"unread,omitempty"`
}

// ArchiveConsumers is what ArchiveConsumers could read, with the notes
// of discovery and every failure.
type ArchiveConsumers struct {
	Consumers []ArchiveConsumer `json:"consumers"`
	// Archives are the locations looked in.
	Archives []backend.ArchiveLocation `json:"archives"`
	Notes    []string                  `json:"notes,omitempty"`
	Failures backend.Failures          `json:"failures,omitempty"`
}

// ArchiveConsumers lists the consumers of every known archive: with
// only set, that archive's alone (no discovery); else each pipeline's
// that has one (declared ones even when discovery fails) and the other
// consumers their archives' folders name. Archives are read at once,
// each bounded; one that cannot be read is a failure.
func (l *Locator) ArchiveConsumers(ctx context.Context, only backend.ArchiveLocation) (ArchiveConsumers, error) {
	var out ArchiveConsumers
	seen := map[string]bool{}
	if only.IsSet() {
		out.Archives = []backend.ArchiveLocation{only}
	} else {
		d, err := l.Discovery(ctx)
		if err != nil {
			return out, err
		}
		out.Notes, out.Failures = d.Notes, slices.Clone(d.Failures)
		for _, p := range d.Pipelines {
			if !p.Archive.IsSet() || seen[p.Consumer] {
				continue
			}
			seen[p.Consumer] = true
			out.Consumers = append(out.Consumers, ArchiveConsumer{Name: p.Consumer, Kind: p.ConsumerKind, Stream: p.Stream,
				Archive: p.Archive, Target: p.Target, Pipeline: true})
			if !slices.ContainsFunc(out.Archives, func(a backend.ArchiveLocation) bool { return sameArchive(a, p.Archive) }) {
				out.Archives = append(out.Archives, p.Archive)
			}
		}
	}
	names := make([][]string, len(out.Archives))
	errs := make([]error, len(out.Archives))
	bound := timeoutOf(l.opts)
	var g errgroup.Group
	g.SetLimit(describeConcurrency)
	for i, loc := range out.Archives {
		g.Go(func() error {
			names[i], errs[i] = bounded(ctx, bound, func(ctx context.Context) ([]string, error) { return archive.Consumers(ctx, l.s, loc) })
			return nil
		})
	}
	_ = g.Wait() // each archive keeps its failure
	for i, loc := range out.Archives {
		if errs[i] != nil {
			out.Failures = append(out.Failures, l.s.Failure("s3", archiveResource(loc), errs[i]))
			continue
		}
		for _, n := range names[i] {
			if !seen[n] {
				seen[n] = true
				out.Consumers = append(out.Consumers, ArchiveConsumer{Name: n, Kind: "archive", Archive: loc})
			}
		}
	}
	slices.SortFunc(out.Consumers, func(a, b ArchiveConsumer) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func sameArchive(a, b backend.ArchiveLocation) bool {
	return a.Bucket == b.Bucket && a.Prefix == b.Prefix
}

// flagLocation reads --archive; unset gives a zero location.
func flagLocation(flag string) (backend.ArchiveLocation, error) {
	if flag == "" {
		return backend.ArchiveLocation{}, nil
	}
	bucket, prefix, err := config.ParseS3URL(flag)
	if err != nil {
		return backend.ArchiveLocation{}, fmt.Errorf("--archive: %w", err)
	}
	return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}, nil
}

// configLocation is the archive a declared pipeline names.
func configLocation(d config.Pipeline) (backend.ArchiveLocation, error) {
	bucket, prefix, err := config.ParseS3URL(d.Archive)
	if err != nil {
		return backend.ArchiveLocation{}, fmt.Errorf("pipeline %s: archive: %w", firstSet(d.Consumer, d.Pipe), err)
	}
	return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "config"}, nil
}
