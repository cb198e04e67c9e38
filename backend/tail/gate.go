package tail

import (
	"context"
	"sync"
)

// gate holds the shard readers while the tail is paused.
type gate struct {
	mu     sync.Mutex
	open   chan struct{} // closed while running; nil before the first pause
	paused bool
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.paused {
		g.paused, g.open = true, make(chan struct{})
	}
}

func (g *gate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused {
		g.paused = false
		close(g.open)
	}
}

func (g *gate) isPaused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

// wait returns at once while running, else when resumed or ctx ends.
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	paused, open := g.paused, g.open
	g.mu.Unlock()
	if !paused {
		return nil
	}
	select {
	case <-open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
