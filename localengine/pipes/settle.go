package pipes

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// settle moves a pipe, in the background, from the transitional state a
// request left it in (CREATING, STARTING, UPDATING, STOPPING, DELETING) to
// the state it asked for, starting or stopping its runner on the way.
// Settling reads the pipe afresh from the store, so that however many
// requests raced, the last one wins; a transition whose pipe changed
// meanwhile leaves the state to the settle that the change scheduled.
func (s *Service) settle(region, name string) {
	s.goTracked(func() {
		if !s.hold() {
			return
		}
		s.settleMu.Lock()
		defer s.settleMu.Unlock()
		if s.ctx.Err() != nil {
			return
		}
		if err := s.settleNow(region, name); err != nil && s.ctx.Err() == nil {
			s.log.Error("pipes: state transition failed", "pipe", name, "region", region, "error", err)
		}
	})
}

func (s *Service) settleNow(region, name string) error {
	key := string(pipeKey(region, name))
	var p *pipeRecord
	err := s.store.View(func(tx *bolt.Tx) error {
		var err error
		p, err = loadPipe(tx, region, name)
		return err
	})
	if err != nil {
		return err
	}
	if p == nil {
		s.stopRunner(key)
		return nil
	}
	switch {
	case p.Current == stateDeleting:
		s.stopRunner(key)
		return s.store.Update(func(tx *bolt.Tx) error {
			cur, err := loadPipe(tx, region, name)
			if err != nil || cur == nil || cur.UID != p.UID || cur.Current != stateDeleting {
				return err
			}
			return removePipe(tx, cur)
		})
	case p.Desired == stateRunning:
		origin := p.OriginMs
		if origin == 0 {
			origin = s.nowMs()
		}
		var running *pipeRecord
		err := s.store.Update(func(tx *bolt.Tx) error {
			running = nil
			cur, err := loadPipe(tx, region, name)
			if err != nil || cur == nil || cur.UID != p.UID || cur.Gen != p.Gen {
				return err
			}
			if cur.Current == stateRunning && cur.OriginMs == origin {
				running = cur
				return nil
			}
			cur.Current, cur.OriginMs, cur.StateReason = stateRunning, origin, ""
			running = cur
			return putPipe(tx, cur)
		})
		if err != nil || running == nil {
			return err
		}
		s.ensureRunner(key, running)
		return nil
	default:
		s.stopRunner(key)
		return s.store.Update(func(tx *bolt.Tx) error {
			cur, err := loadPipe(tx, region, name)
			if err != nil || cur == nil || cur.UID != p.UID || cur.Gen != p.Gen || cur.Current == stateStopped {
				return err
			}
			cur.Current = stateStopped
			return putPipe(tx, cur)
		})
	}
}

// hold waits StateDelay, false when the service closes meanwhile.
func (s *Service) hold() bool {
	if s.cfg.StateDelay <= 0 {
		return true
	}
	t := time.NewTimer(s.cfg.StateDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// ensureRunner makes sure the runner of p's current definition runs,
// replacing one of an older definition.
func (s *Service) ensureRunner(key string, p *pipeRecord) {
	s.mu.Lock()
	old := s.runners[key]
	s.mu.Unlock()
	if old != nil && old.uid == p.UID && old.gen == p.Gen {
		return
	}
	if old != nil {
		s.stopRunner(key)
	}
	r, err := newRunner(s, p)
	if err != nil {
		s.log.Error("pipes: cannot run pipe", "pipe", p.Name, "error", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		r.cancel()
		return
	}
	s.runners[key] = r
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		r.run()
	}()
}

// stopRunner cancels a pipe's runner and waits for it to end: a batch in
// flight is abandoned without a checkpoint, so it is delivered again when
// the pipe resumes.
func (s *Service) stopRunner(key string) {
	s.mu.Lock()
	r := s.runners[key]
	delete(s.runners, key)
	s.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
}

// runnerContext is the context runners work under.
func (s *Service) runnerContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(s.ctx)
}
