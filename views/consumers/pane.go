// Package consumers is the consumer pane: the pipes and Lambda event
// source mappings of a stream (opened from the Streams tab) or feeding a
// dead-letter queue (opened from the DLQ tab), each with its state,
// settings and last hour's activity, stopped and started from here. The
// pane lives inside the tab that opened it: its messages are stamped with
// that tab, which hands them back through Handle.
package consumers

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	cons "github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/table"
)

// Pane is the consumer pane of one host tab. The zero value is unusable;
// make it with New.
type Pane struct {
	c    *common.Common
	host common.TabID

	open   bool
	filter cons.Filter
	// of names what the list is of: "stream orders", "DLQ orders-dlq".
	of, kindOf string

	table    table.Model
	list     []cons.Consumer
	failures backend.Failures
	fresh    common.Freshness
	loads    common.Requests

	// detail is the selected consumer's description, read afresh each
	// time the selection or the list changes.
	detail     *cons.Description
	detailName string
	detailErr  string
	describes  common.Requests

	// following holds the consumers whose state is being followed until
	// it settles, by name.
	following map[string]*cons.Follower

	width, height int
	now           func() time.Time
}

// New makes the pane of host.
func New(c *common.Common, host common.TabID) *Pane {
	p := &Pane{c: c, host: host, loads: common.NewRequests(host), describes: common.NewRequests(host),
		following: map[string]*cons.Follower{}, now: time.Now}
	p.table = table.New(c.Styles, &c.Keys.List, columns())
	p.table.SetEmpty("reading consumers…")
	return p
}

// WithClock sets the clock "updated … ago" reads (tests).
func (p *Pane) WithClock(now func() time.Time) *Pane { p.now = now; return p }

// Open reports whether the pane is shown.
func (p *Pane) Open() bool { return p.open }

// Capturing is true while the list's filter is typed.
func (p *Pane) Capturing() bool { return p.open && p.table.Filtering() }

// OfStream opens the pane on a stream's consumers.
func (p *Pane) OfStream(stream string) tea.Cmd {
	return p.show(cons.Filter{Stream: stream}, "Consumers of stream ", stream)
}

// OfDLQ opens the pane on the consumers whose failures go to queue.
func (p *Pane) OfDLQ(queue string) tea.Cmd {
	return p.show(cons.Filter{DLQ: queue}, "Sources of DLQ ", queue)
}

func (p *Pane) show(f cons.Filter, kindOf, of string) tea.Cmd {
	p.open, p.filter, p.kindOf, p.of = true, f, kindOf, of
	p.list, p.failures, p.detail, p.detailName, p.detailErr = nil, nil, nil, "", ""
	p.fresh.Forget()
	p.table.SetRows(nil)
	p.table.SetEmpty("reading consumers…")
	p.SetSize(p.width, p.height)
	return p.load()
}

// Close hides the pane; what is in flight is dropped.
func (p *Pane) Close() {
	p.open = false
	p.loads.Drop()
	p.describes.Drop()
}

// SetSize gives the pane the host's size.
func (p *Pane) SetSize(width, height int) {
	p.width, p.height = width, height
	p.table.SetColumns(columns())
	p.table.SetSize(width, p.tableHeight())
}

// Handle takes what is the pane's: its own messages always, and while it
// is shown the keys, refreshes and ticks the host would otherwise act on.
// handled is false for what the host must handle itself.
func (p *Pane) Handle(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case listedMsg:
		return p.listed(msg), true
	case describedMsg:
		return p.described(msg), true
	case switchedMsg:
		return p.switched(msg), true
	case followedMsg:
		return p.followed(msg), true
	case common.SessionMsg:
		// Another profile: these consumers are not its. The host reloads.
		p.Close()
		p.following = map[string]*cons.Follower{}
		return nil, false
	}
	if !p.open {
		return nil, false
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return p.key(msg), true
	case tea.MouseWheelMsg:
		return p.moved(func() { p.table, _ = p.table.Update(msg) }), true
	case common.RefreshMsg:
		return p.load(), true
	case common.AutoRefreshMsg:
		if p.fresh.Due(p.now()) {
			return p.load(), true
		}
		return nil, true
	case common.FocusMsg:
		if msg.Focused && p.fresh.Due(p.now()) {
			return p.load(), true
		}
		return nil, true
	}
	return nil, false
}

func (p *Pane) key(msg tea.KeyPressMsg) tea.Cmd {
	if p.table.Filtering() {
		return p.moved(func() { p.table, _ = p.table.Update(msg) })
	}
	l, k := p.c.Keys.List, p.c.Keys.Consumers
	switch {
	case key.Matches(msg, l.Back) && p.table.Filter() == "":
		p.Close()
		return nil
	case key.Matches(msg, k.Toggle):
		if c, ok := p.selected(); ok {
			return p.askSwitch(c)
		}
		return nil
	case key.Matches(msg, l.Copy):
		if c, ok := p.selected(); ok {
			text := c.ARN
			if text == "" {
				text = c.Name
			}
			return func() tea.Msg { return common.CopyMsg{Text: text, What: "the ARN of " + c.Ref().String()} }
		}
		return nil
	}
	return p.moved(func() { p.table, _ = p.table.Update(msg) })
}

// moved applies a change of the table and describes the selection if it
// changed.
func (p *Pane) moved(change func()) tea.Cmd {
	before := p.selectedName()
	change()
	if p.selectedName() != before {
		return p.describe()
	}
	return nil
}

func (p *Pane) selectedName() string {
	if r, ok := p.table.Selected(); ok {
		return r.ID
	}
	return ""
}

func (p *Pane) selected() (cons.Consumer, bool) {
	id := p.selectedName()
	for _, c := range p.list {
		if c.Name == id {
			return c, true
		}
	}
	return cons.Consumer{}, false
}

// ShortHelp is the footer while the pane is shown.
func (p *Pane) ShortHelp() []key.Binding {
	l, k := p.c.Keys.List, p.c.Keys.Consumers
	out := []key.Binding{l.Back, l.Up, l.Down, l.Filter}
	if !p.c.Environment().ReadOnly() {
		out = append(out, k.Toggle)
	}
	return append(out, l.Copy)
}

// FullHelp is every binding of the pane, the toggle left out under
// read-only.
func (p *Pane) FullHelp() [][]key.Binding {
	l, k := p.c.Keys.List, p.c.Keys.Consumers
	nav := []key.Binding{l.Up, l.Down, l.Top, l.Bottom, l.PageUp, l.PageDown, l.Filter, l.Back, l.Copy}
	if p.c.Environment().ReadOnly() {
		return [][]key.Binding{nav}
	}
	return [][]key.Binding{nav, {k.Toggle}}
}
