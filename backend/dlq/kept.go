package dlq

import (
	"runtime"
	"slices"
	"sync"
	"weak"

	"github.com/sluicehq/sluice/backend"
)

// A browse costs every message a receive (SQS counts them all), so that
// what a browse saw is kept, per session and queue, and reused by
// whatever needs the messages again (the DLQ view coming back to a
// queue, trace, export, the detail) instead of receiving them again. The
// operator browses again when they ask to.
//
// The store is keyed by a weak pointer to the session, so that a session
// dropped on a profile switch takes its browses with it.
var keptStore sync.Map // weak.Pointer[backend.Session] → *keptBrowses

type keptBrowses struct {
	mu    sync.Mutex
	byURL map[string]BrowseResult
}

func keptOf(s *backend.Session, create bool) *keptBrowses {
	key := weak.Make(s)
	if v, ok := keptStore.Load(key); ok {
		return v.(*keptBrowses)
	}
	if !create {
		return nil
	}
	v, loaded := keptStore.LoadOrStore(key, &keptBrowses{byURL: map[string]BrowseResult{}})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[backend.Session]) { keptStore.Delete(k) }, key)
	}
	return v.(*keptBrowses)
}

// keep records res as the queue's latest browse.
func keep(s *backend.Session, res BrowseResult) {
	k := keptOf(s, true)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.byURL[res.Queue.URL] = res
}

// Kept is the queue's latest browse in this session, with its time
// (BrowseResult.At), and false when it was not browsed (or what was
// browsed is gone: purged or redriven). It receives nothing.
func Kept(s *backend.Session, queueURL string) (BrowseResult, bool) {
	k := keptOf(s, false)
	if k == nil {
		return BrowseResult{}, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	res, ok := k.byURL[queueURL]
	if ok {
		res.Messages = slices.Clone(res.Messages)
	}
	return res, ok
}

// Forget drops messages this session deleted, hydrated or moved from the
// queue's kept browse, so that it never shows what is gone; with no ids
// it drops the whole browse (a purge, a redrive).
func Forget(s *backend.Session, queueURL string, ids ...string) {
	k := keptOf(s, false)
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	res, ok := k.byURL[queueURL]
	if !ok {
		return
	}
	if len(ids) == 0 {
		delete(k.byURL, queueURL)
		return
	}
	res.Messages = slices.DeleteFunc(slices.Clone(res.Messages), func(m Message) bool { return slices.Contains(ids, m.ID) })
	k.byURL[queueURL] = res
}

// forgetARN is Forget of a whole browse for a queue known by its ARN.
func forgetARN(s *backend.Session, arn string) {
	k := keptOf(s, false)
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for url, res := range k.byURL {
		if res.Queue.ARN == arn {
			delete(k.byURL, url)
		}
	}
}
