package replay

import (
	"fmt"

	"github.com/sluicehq/sluice/backend"
)

// A copy (Options.CopyTo) sends archived events into another profile's
// target — production's failures into a stream of the bundled engine,
// say, where their consumer can be run and debugged against them. It is
// not a replay: the source archive is only read. No _replayed/ copy or
// manifest is written there, no original is deleted, no attempt is
// recorded, and a mark left half-done by an earlier replay is left for
// that replay to finish. Each event still travels with its id and
// partition key, exactly as a replay sends it, so running the same copy
// twice delivers every event twice, each time under the same
// idempotency key.
//
// The write guard is the destination's: a source opened read-only (a
// production profile, or --readonly) can be copied from, and a
// destination profile that is read-only refuses the copy.

// targetSession is the session the events are sent through.
func (o Options) targetSession(source *backend.Session) *backend.Session {
	if o.CopyTo != nil {
		return o.CopyTo
	}
	return source
}

// copiedTo names the destination profile of a copy; "" for a replay.
func (o Options) copiedTo() string {
	if o.CopyTo == nil {
		return ""
	}
	return o.CopyTo.Profile.Name
}

// verb names the run in refusals and the audit log.
func (o Options) verb() string {
	if o.CopyTo != nil {
		return "copy to profile " + o.CopyTo.Profile.Name
	}
	return "replay"
}

// settleCopy records what became of one event sent into the destination
// profile, writing nothing in the source archive.
func (r *run) settleCopy(ev loadedEvent, res Result) {
	res.Key, res.seq = ev.res.Key, ev.res.seq
	var sendErr error
	if res.Status == Accepted {
		res.Copied = true
	} else {
		sendErr = fmt.Errorf("%s: %s", res.Status, res.Detail)
	}
	r.o.CopyTo.Audit("copy", r.p.Target.String()+" from "+r.s.Profile.Name+" "+r.p.Archive.Bucket+"/"+res.Key, sendErr)
	r.record(res)
}
