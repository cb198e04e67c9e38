package common

import "testing"

func TestRequestsTurnOlderRepliesStale(t *testing.T) {
	env := &Env{Gen: 1}
	r := NewRequests(DLQTab)
	first := r.Next(env)
	if !r.Fresh(first, env) || first.RouteTo() != DLQTab {
		t.Fatalf("the latest request's reply is not fresh: %+v", first)
	}
	second := r.Next(env)
	if r.Fresh(first, env) || !r.Fresh(second, env) {
		t.Fatal("a newer request did not turn the older reply stale")
	}
	r.Drop()
	if r.Fresh(second, env) {
		t.Fatal("Drop kept a reply in flight fresh")
	}
	current := r.Current(env)
	if r.Fresh(current, &Env{Gen: 2}) {
		t.Fatal("a reply made in another session is fresh")
	}
	if s := SessionStamp(ShardsTab, nil); s != (Stamp{Tab: ShardsTab}) {
		t.Fatalf("no session: %+v", s)
	}
}
