package archives

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/jsonview"
)

// The replay attempts of the events shown are read from the manifests of
// the hour shown (archive.ManifestsDir): one listing per hour, then the
// manifests a batch at a time, newest first, so that the list fills in as
// they come and no call is made per event.

// manifestsListedMsg carries the manifest keys of the hour shown.
type manifestsListedMsg struct {
	common.Stamp
	Keys []string
	Err  error
}

// manifestsMsg carries a few manifests read.
type manifestsMsg struct {
	common.Stamp
	Manifests map[string]archive.Manifest
	Errs      map[string]error
}

// loadAttempts lists the manifests of the hour shown.
func (m *Model) loadAttempts() tea.Cmd {
	s := m.session()
	if s == nil || m.level != levelEvents {
		return nil
	}
	stamp, loc, consumer, hr := m.req.events.Current(m.env()), m.cur.Archive, m.cur.Name, m.hr
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		keys, err := archive.ListManifests(ctx, s, loc, consumer, hr)
		return manifestsListedMsg{Stamp: stamp, Keys: keys, Err: err}
	}
}

func (m *Model) onManifestsListed(msg manifestsListedMsg) tea.Cmd {
	if !m.req.events.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	if msg.Err != nil {
		// The events are there; only their history is not: said in the
		// detail of each, not in place of the list.
		m.attemptsErr = msg.Err.Error()
		return nil
	}
	m.attemptsErr = ""
	m.manifestKeys = msg.Keys
	return m.fetchManifests()
}

// fetchManifests reads the next manifests not read yet.
func (m *Model) fetchManifests() tea.Cmd {
	s := m.session()
	if s == nil || m.level != levelEvents {
		return nil
	}
	var keys []string
	for _, k := range m.manifestKeys {
		if !m.manifestsRead[k] {
			keys = append(keys, k)
			if len(keys) == bodyBatch {
				break
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	for _, k := range keys {
		m.manifestsRead[k] = true // asked for: not asked again by the next batch
	}
	stamp, bucket, conc := m.req.events.Current(m.env()), m.cur.Archive.Bucket, m.o.concurrency
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		got, errs := archive.GetManifests(ctx, s, bucket, keys, archive.ManyOptions{Concurrency: conc})
		return manifestsMsg{Stamp: stamp, Manifests: got, Errs: errs}
	}
}

func (m *Model) onManifests(msg manifestsMsg) tea.Cmd {
	if !m.req.events.Fresh(msg.Stamp, m.env()) {
		return nil
	}
	for _, man := range msg.Manifests {
		m.history.Add(man)
	}
	for _, err := range msg.Errs {
		m.attemptsErr = err.Error()
		break
	}
	m.refreshEventRows()
	if m.split.Open() {
		if e, ok := m.bodies[m.detailKey]; ok {
			m.setDetail(m.detailKey, e)
		}
	}
	return m.fetchManifests()
}

// lastAttempt is the LAST ATTEMPT cell of a waiting event: the last
// attempt's answer and how long ago it was, or "-" for none.
func (m *Model) lastAttempt(id string) (string, bool) {
	a, ok := m.history.Last(id)
	if !ok {
		return "-", false
	}
	return a.Answer() + " · " + ago(m.o.now().Sub(a.At)), a.Status != "accepted"
}

// ago is a duration as "2m ago": the coarsest unit that is not zero.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// attemptFields are the detail's history of replay attempts, oldest
// first, one line each.
func (m *Model) attemptFields(id string) []jsonview.Field {
	var out []jsonview.Field
	for i, a := range m.history[id] {
		v := fmt.Sprintf("%s %s to %s", a.At.UTC().Format("2006-01-02 15:04:05Z"), a.Answer(), a.Target)
		if a.Tries > 1 {
			v += fmt.Sprintf(" (%d tries)", a.Tries)
		}
		if a.Detail != "" {
			v += ": " + a.Detail
		}
		out = append(out, jsonview.Field{Label: fmt.Sprintf("attempt %d", i+1), Value: v})
	}
	if m.attemptsErr != "" {
		out = append(out, jsonview.Field{Label: "attempts", Value: "not all read: " + m.attemptsErr})
	}
	return out
}
