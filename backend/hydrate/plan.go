package hydrate

import (
	"context"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/dlq"
)

// Plan is the exact set of messages a "hydrate all" asks to hydrate: the
// Kinesis failures of a browse, by id. The confirmation names this set and
// Queue(o.IDs = Plan.IDs) acts on it alone, so that messages that arrive
// after the confirmation are reported (Summary.Outside), never taken
// silently.
type Plan struct {
	Queue string `json:"queue"`
	URL   string `json:"url"`
	// IDs are the failures to hydrate, in the browse's order.
	IDs []string `json:"ids"`
	// Payloads counts the messages of the browse that carry their event
	// (an SQS source): they are redriven, not hydrated, and not in IDs.
	Payloads int `json:"payloads"`
	// browsed are the ids of every message of the browse, payloads too.
	browsed map[string]bool
	// Visible is how many messages the queue reported at the browse;
	// Complete that the browse saw them all.
	Visible  int  `json:"visible"`
	Complete bool `json:"complete"`
	// BrowsedAt is when the browse the plan comes from ran.
	BrowsedAt time.Time `json:"browsedAt"`
}

// PlanOf is the plan of a browse: its Kinesis failures, by id. It
// receives nothing.
func PlanOf(res dlq.BrowseResult) Plan {
	p := Plan{Queue: res.Queue.Name, URL: res.Queue.URL, IDs: []string{}, Visible: res.Queue.Visible, Complete: res.Complete, BrowsedAt: res.At,
		browsed: map[string]bool{}}
	for _, m := range res.Messages {
		p.browsed[m.ID] = true
		if m.IsPayload() {
			p.Payloads++
			continue
		}
		p.IDs = append(p.IDs, m.ID)
	}
	return p
}

// PlanAll browses the whole queue (up to dlq.MaxBrowse messages, every
// one released at once) and plans the hydration of its failures. It is
// refused under read-only before anything is received: the plan is for a
// write.
func PlanAll(ctx context.Context, s *backend.Session, queueURL string) (Plan, dlq.BrowseResult, error) {
	if err := s.Guard("hydrate queue " + dlq.NameOfURL(queueURL)); err != nil {
		return Plan{}, dlq.BrowseResult{}, err
	}
	res, err := dlq.Browse(ctx, s, queueURL, dlq.BrowseOptions{})
	if err != nil {
		return Plan{}, res, fmt.Errorf("plan hydrate: %w", err)
	}
	return PlanOf(res), res, nil
}

// Arrived are the messages a run of the plan met that its browse had not
// seen: they arrived after it (or the browse did not reach them), and
// the run left them in the queue (Summary.Outside less the payloads the
// browse saw).
func (p Plan) Arrived(sum Summary) []string {
	var out []string
	for _, id := range sum.Outside {
		if !p.browsed[id] {
			out = append(out, id)
		}
	}
	return out
}
