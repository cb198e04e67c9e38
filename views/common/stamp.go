package common

// Stamp marks a request with the tab that made it, the session it was made
// in and the generation of its kind of request. Every tab message embeds
// the stamp of the request it answers: the root routes it by Tab, and the
// tab drops it unless it is still Fresh, so an answer to an older session,
// an older load or a closed tail never changes what is shown.
type Stamp struct {
	Tab TabID
	// Session is the Env.Gen the request was made in.
	Session int
	// Gen is the request's generation within its kind; 0 for requests
	// that only need to belong to the current session.
	Gen int
}

// RouteTo delivers the message to the tab that asked, even when another
// is showing.
func (s Stamp) RouteTo() TabID { return s.Tab }

// Fresh reports whether s answers the request current stands for.
func (s Stamp) Fresh(current Stamp) bool { return s == current }

// SessionGen is the generation of e's session, 0 before any session, so
// that a stamp can be made without nil checks.
func (e *Env) SessionGen() int {
	if e == nil {
		return 0
	}
	return e.Gen
}

// SessionStamp stamps a request of tab that stays good for the whole of
// env's session (a write's outcome, an editor closing).
func SessionStamp(tab TabID, env *Env) Stamp {
	return Stamp{Tab: tab, Session: env.SessionGen()}
}

// Requests counts the requests of one kind a tab makes (a listing, a
// browse, a tail): making a new one, or dropping what is in flight, turns
// the replies to the older ones stale.
type Requests struct {
	Tab TabID
	gen int
}

// NewRequests counts requests of tab.
func NewRequests(tab TabID) Requests { return Requests{Tab: tab} }

// Next starts a new request in env's session and gives its stamp.
func (r *Requests) Next(env *Env) Stamp {
	r.gen++
	return r.Current(env)
}

// Drop makes the replies to requests in flight stale without starting a
// new one (a pane closed, a filter changed).
func (r *Requests) Drop() { r.gen++ }

// Current is the stamp a fresh reply carries.
func (r *Requests) Current(env *Env) Stamp {
	return Stamp{Tab: r.Tab, Session: env.SessionGen(), Gen: r.gen}
}

// Fresh reports whether a reply stamped s answers the latest request, in
// env's session.
func (r *Requests) Fresh(s Stamp, env *Env) bool { return s.Fresh(r.Current(env)) }
