package consumers

import (
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	cons "github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/views/common"
)

// listedMsg answers a listing.
type listedMsg struct {
	common.Stamp
	list     []cons.Consumer
	failures backend.Failures
}

// describedMsg answers a description of the consumer name.
type describedMsg struct {
	common.Stamp
	name string
	d    cons.Description
	err  error
}

// load lists the consumers again; what is shown stays until the answer.
func (p *Pane) load() tea.Cmd {
	env := p.c.Environment()
	if env.Session == nil {
		return nil
	}
	stamp, f := p.loads.Next(env), p.filter
	p.fresh.Start(p.now())
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		list, fs := cons.List(ctx, env.Session, f)
		return listedMsg{Stamp: stamp, list: list, failures: fs}
	}
}

func (p *Pane) listed(msg listedMsg) tea.Cmd {
	if !p.loads.Fresh(msg.Stamp, p.c.Environment()) {
		return nil
	}
	now := p.now()
	p.failures = msg.failures
	// A listing with nothing but failures keeps what was read before:
	// the failure is said above it.
	if len(msg.list) == 0 && len(msg.failures) > 0 && len(p.list) > 0 {
		p.fresh.Failed(now, msg.failures.Err())
		return nil
	}
	p.list = msg.list
	if len(msg.failures) > 0 {
		p.fresh.Failed(now, msg.failures.Err())
	} else {
		p.fresh.Succeeded(now)
	}
	p.table.SetEmpty("no consumer found")
	p.refreshRows()
	p.SetSize(p.width, p.height) // the failure banner may take a line
	cmd := p.describe()
	if len(msg.failures) == 0 {
		cmd = tea.Batch(cmd, common.Succeeded)
	}
	return cmd
}

// describe reads the selected consumer and its last hour.
func (p *Pane) describe() tea.Cmd {
	c, ok := p.selected()
	env := p.c.Environment()
	if !ok || env.Session == nil {
		p.detail, p.detailName, p.detailErr = nil, "", ""
		return nil
	}
	if p.detailName != c.Name {
		p.detail, p.detailErr = nil, ""
	}
	p.detailName = c.Name
	stamp, ref := p.describes.Next(env), c.Ref()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		d, err := cons.Describe(ctx, env.Session, ref)
		return describedMsg{Stamp: stamp, name: ref.Name, d: d, err: err}
	}
}

func (p *Pane) described(msg describedMsg) tea.Cmd {
	if !p.describes.Fresh(msg.Stamp, p.c.Environment()) || msg.name != p.detailName {
		return nil
	}
	if msg.err != nil {
		// The last description read stays, marked as not re-read.
		p.detailErr = msg.err.Error()
		return nil
	}
	d := msg.d
	p.detail, p.detailErr = &d, ""
	p.replace(d.Consumer)
	return nil
}

// replace puts a fresher read of one consumer in the list.
func (p *Pane) replace(c cons.Consumer) {
	for i := range p.list {
		if p.list[i].Kind == c.Kind && p.list[i].Name == c.Name {
			p.list[i] = c
		}
	}
	if p.detail != nil && p.detail.Name == c.Name {
		p.detail.Consumer = c
	}
	p.refreshRows()
}
