package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

// ErrNoArchive is the error when nothing names where a queue's events
// are archived.
var ErrNoArchive = errors.New("no archive location")

// ArchiveForQueue finds where the failed events of the DLQ at queue
// (a URL, ARN or name) are archived, with the precedence of Pipelines:
// the config's archive for its pipeline, else the sluice:archive tag of
// the queue, else of its pipe, else archiveFlag (--archive). A pipeline
// the config declares with this DLQ and an archive settles it without
// any discovery, so it works when Pipes is denied or silent; discovery
// otherwise costs at most its bound. When none names one, the error
// (wrapping ErrNoArchive) says where to set it, and what could not be
// read. opts may name the session's inventory (Shared, SharedSince);
// without one, the lookup has its own, so that the queue's tags, read
// here and again by discovery for the pipeline whose DLQ it is, are
// read once.
func ArchiveForQueue(ctx context.Context, s *backend.Session, declared []config.Pipeline, queue, archiveFlag string, opts ...Option) (backend.ArchiveLocation, error) {
	sh := sharedOf(opts)
	if sh.inv == nil {
		sh.inv = New(s, nil)
		opts = append(slices.Clip(opts), Shared(sh.inv))
	}
	queueURL, err := QueueURL(ctx, s, queue)
	if err != nil {
		return backend.ArchiveLocation{}, err
	}
	name := QueueName(queueURL)
	if loc, ok, err := declaredArchiveOf(declared, queue, queueURL); ok || err != nil {
		return loc, err
	}
	// A declared archive of a pipeline whose DLQ only discovery knows
	// outranks the queue's own tag; without one, a single call settles
	// the common case.
	declares := false
	for _, d := range declared {
		declares = declares || (d.Archive != "" && d.DLQ == "")
	}
	var tags map[string]string
	if !declares {
		if tags, err = sh.queueTags(ctx, queueURL); err != nil {
			return backend.ArchiveLocation{}, err
		}
		loc, err := tagLocation(tags, "queue "+name)
		if err != nil || loc.IsSet() {
			return loc, err
		}
	}
	d, err := Discover(ctx, s, declared, "", opts...)
	if err != nil {
		return backend.ArchiveLocation{}, err
	}
	if p, ok := PipelineForDLQ(ctx, s, d.Pipelines, queueURL); ok && p.Archive.IsSet() {
		return p.Archive, nil
	}
	if tags == nil {
		// The queue belongs to no pipeline with an archive; its tag
		// still counts.
		if tags, err = sh.queueTags(ctx, queueURL); err != nil {
			return backend.ArchiveLocation{}, err
		}
		loc, err := tagLocation(tags, "queue "+name)
		if err != nil || loc.IsSet() {
			return loc, err
		}
	}
	if archiveFlag != "" {
		bucket, prefix, err := config.ParseS3URL(archiveFlag)
		if err != nil {
			return backend.ArchiveLocation{}, fmt.Errorf("--archive: %w", err)
		}
		return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "flag"}, nil
	}
	err = fmt.Errorf("queue %s: %w: declare it in the sluice config (pipelines: - dlq: %s, archive: s3://BUCKET/PREFIX), tag the queue or its pipe with %s=s3://BUCKET/PREFIX, or pass --archive s3://BUCKET/PREFIX",
		name, ErrNoArchive, name, ArchiveTag)
	if len(d.Failures) > 0 {
		// A pipe's tag may have named it: say what could not be read.
		err = errors.Join(err, fmt.Errorf("pipelines not fully discovered: %w", d.Failures.Err()))
	}
	return backend.ArchiveLocation{}, err
}

// declaredArchiveOf finds the archive the config declares for the
// pipeline whose DLQ is the queue (given as ref, resolved to queueURL).
func declaredArchiveOf(declared []config.Pipeline, ref, queueURL string) (backend.ArchiveLocation, bool, error) {
	name := QueueName(queueURL)
	for _, d := range declared {
		if d.DLQ == "" || d.Archive == "" {
			continue
		}
		match := d.DLQ == ref || d.DLQ == queueURL
		if !match && !strings.Contains(d.DLQ, "://") {
			// A name, or an ARN of this account's queue of that name.
			match = QueueName(d.DLQ) == name && (!isSQSARN(d.DLQ) || strings.Contains(queueURL, "/"+arnAccount(d.DLQ)+"/"))
		}
		if !match {
			continue
		}
		bucket, prefix, err := config.ParseS3URL(d.Archive)
		if err != nil {
			return backend.ArchiveLocation{}, true, fmt.Errorf("pipeline %s: archive: %w", firstSet(d.Consumer, d.Pipe), err)
		}
		return backend.ArchiveLocation{Bucket: bucket, Prefix: prefix, From: "config"}, true, nil
	}
	return backend.ArchiveLocation{}, false, nil
}

func arnAccount(arn string) string {
	a, err := backend.ParseARN(arn)
	if err != nil {
		return ""
	}
	return a.Account
}
