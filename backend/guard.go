package backend

import (
	"errors"
	"fmt"
)

// ErrReadOnly is the error of every write refused in read-only mode.
var ErrReadOnly = errors.New("read-only mode")

// Guard refuses what under read-only mode: every operation that changes or
// deletes data calls it first.
func (s *Session) Guard(what string) error {
	if s.readOnly {
		return fmt.Errorf("%s: refused in %w: %s", what, ErrReadOnly, s.readOnlyWhy)
	}
	return nil
}

// Audit records a write that was carried out (or failed), so that what
// sluice changed can be traced afterwards.
func (s *Session) Audit(action, resource string, err error) {
	if err != nil {
		s.Log.Warn("write failed", "profile", s.Profile.Name, "action", action, "resource", resource, "error", err)
		return
	}
	s.Log.Info("write", "profile", s.Profile.Name, "action", action, "resource", resource)
}
