package inventory

import (
	"slices"
	"strings"

	"github.com/sluicehq/sluice/backend"
)

// archiveResource names an archive in the failure of its listing.
func archiveResource(loc backend.ArchiveLocation) string { return "archive " + loc.String() }

// KeepUnread is found, a new read of the archive consumers, with the
// consumers of before that it could not read again. A denied or silent
// source is no evidence that a consumer is gone: a consumer missing from
// found stays, as it was last read and with Unread set to the failure
// that may hide it, when its archive's listing failed (one named only by
// its archive's folders) or discovery failed (a pipeline, or a folder of
// an archive only a pipeline named). A pipeline found again only by its
// folder while discovery failed keeps what discovery had said of it (its
// target, its stream). A consumer whose sources answered without it is
// gone, and dropped.
func KeepUnread(before []ArchiveConsumer, found ArchiveConsumers) ArchiveConsumers {
	discovery := discoveryFailure(found)
	if discovery == nil && !hasArchiveFailure(found) {
		return found
	}
	index := make(map[string]int, len(found.Consumers))
	for i, c := range found.Consumers {
		index[c.Name] = i
	}
	out := found
	out.Consumers = slices.Clone(found.Consumers)
	for _, prev := range before {
		why := hiddenBy(prev, found, discovery)
		if why == nil {
			continue
		}
		kept := prev
		f := *why
		kept.Unread = &f
		i, listed := index[prev.Name]
		switch {
		case !listed:
			out.Consumers = append(out.Consumers, kept)
		case prev.Pipeline && !found.Consumers[i].Pipeline:
			// Listed by its folder alone: discovery lost its pipeline.
			out.Consumers[i] = kept
		}
	}
	slices.SortFunc(out.Consumers, func(a, b ArchiveConsumer) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// hiddenBy is the failure of found that may have kept prev from being
// read again, nil when none could have.
func hiddenBy(prev ArchiveConsumer, found ArchiveConsumers, discovery *backend.Failure) *backend.Failure {
	if prev.Pipeline {
		return discovery
	}
	for i, f := range found.Failures {
		if f.Service == "s3" && f.Resource == archiveResource(prev.Archive) {
			return &found.Failures[i]
		}
	}
	looked := slices.ContainsFunc(found.Archives, func(a backend.ArchiveLocation) bool { return sameArchive(a, prev.Archive) })
	if !looked {
		// Its archive was named by a pipeline that discovery may have
		// missed.
		return discovery
	}
	return nil
}

// discoveryFailure is the first failure of found that is not an
// archive's listing, nil when discovery read everything (a service the
// endpoint does not serve is no failure: it lists nothing, ever).
func discoveryFailure(found ArchiveConsumers) *backend.Failure {
	for i, f := range found.Failures {
		if f.Kind != backend.FailNotServed && !isArchiveFailure(f) {
			return &found.Failures[i]
		}
	}
	return nil
}

func hasArchiveFailure(found ArchiveConsumers) bool {
	return slices.ContainsFunc(found.Failures, isArchiveFailure)
}

func isArchiveFailure(f backend.Failure) bool {
	return f.Service == "s3" && strings.HasPrefix(f.Resource, "archive ")
}
