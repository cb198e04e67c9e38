package backend

import "sync"

// gaps remembers what a session's endpoint turned out to lack (an
// S3-compatible store without conditional writes or DeleteObjects), so
// that an operation that has a fallback asks once per session, not once
// per object. The zero value is ready to use.
type gaps struct {
	mu   sync.Mutex
	seen map[gap]bool
}

type gap struct{ service, resource, feature string }

// Lacks reports whether the endpoint answered, earlier in this session,
// that it lacks feature for resource (a bucket) of service.
func (s *Session) Lacks(service, resource, feature string) bool {
	s.gaps.mu.Lock()
	defer s.gaps.mu.Unlock()
	return s.gaps.seen[gap{service, resource, feature}]
}

// NoteLacks remembers, for the rest of the session, that the endpoint
// lacks feature for resource of service, and logs it the first time, so
// that the fallback taken is on record.
func (s *Session) NoteLacks(service, resource, feature string) {
	g := gap{service, resource, feature}
	s.gaps.mu.Lock()
	first := !s.gaps.seen[g]
	if s.gaps.seen == nil {
		s.gaps.seen = map[gap]bool{}
	}
	s.gaps.seen[g] = true
	s.gaps.mu.Unlock()
	if first {
		s.Log.Info("endpoint lacks a feature; using the fallback", "profile", s.Profile.Name,
			"service", service, "resource", resource, "feature", feature)
	}
}
