package inventory

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
)

// ErrNoArchive is the error when nothing names where a queue's events
// are archived.
var ErrNoArchive = errors.New("no archive location")

// ArchiveForQueue finds where the failed events of the DLQ at queue
// (a URL, ARN or name) are archived, with the precedence of Pipelines:
// the config's archive for its pipeline, else the sluice:archive tag of
// the queue, else of its pipe, else archiveFlag (--archive). When none
// names one, the error (wrapping ErrNoArchive) says where to set it.
func ArchiveForQueue(ctx context.Context, s *backend.Session, declared []config.Pipeline, queue, archiveFlag string) (backend.ArchiveLocation, error) {
	queueURL, err := QueueURL(ctx, s, queue)
	if err != nil {
		return backend.ArchiveLocation{}, err
	}
	name := QueueName(queueURL)
	declares := false
	for _, d := range declared {
		declares = declares || d.Archive != ""
	}
	// Only a declared archive outranks the queue's own tag; without one,
	// a single call settles the common case.
	var tags map[string]string
	if !declares {
		if tags, err = QueueTags(ctx, s, queueURL); err != nil {
			return backend.ArchiveLocation{}, err
		}
		loc, err := tagLocation(tags, "queue "+name)
		if err != nil || loc.IsSet() {
			return loc, err
		}
	}
	d, err := Discover(ctx, s, declared, "")
	if err != nil {
		return backend.ArchiveLocation{}, err
	}
	if p, ok := PipelineForDLQ(ctx, s, d.Pipelines, queueURL); ok && p.Archive.IsSet() {
		return p.Archive, nil
	}
	if tags == nil {
		// The queue belongs to no pipeline with an archive; its tag
		// still counts.
		if tags, err = QueueTags(ctx, s, queueURL); err != nil {
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
	return backend.ArchiveLocation{}, fmt.Errorf("queue %s: %w: declare it in the sluice config (pipelines: - dlq: %s, archive: s3://BUCKET/PREFIX), tag the queue or its pipe with %s=s3://BUCKET/PREFIX, or pass --archive s3://BUCKET/PREFIX",
		name, ErrNoArchive, name, ArchiveTag)
}
