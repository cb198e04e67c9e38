package archives

import "github.com/sluicehq/sluice/views/common"

// requests are the kinds of request the tab makes, each stamped on its
// own: the levels load independently (a consumer list may arrive while an
// hour's events are read), so a new request of one kind must not turn
// another kind's replies stale.
type requests struct {
	consumers common.Requests
	hours     common.Requests
	// events stamps an hour's listing and the bodies read for it.
	events common.Requests
	// matches stamps the jq filter: matches of an older filter are dropped.
	matches common.Requests
	detail  common.Requests
	jobs    common.Requests
	// counts stamps the page of an hour's count in flight.
	counts common.Requests
}

func newRequests() requests {
	r := common.NewRequests(common.ArchivesTab)
	return requests{consumers: r, hours: r, events: r, matches: r, detail: r, jobs: r, counts: r}
}
