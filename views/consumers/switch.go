package consumers

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	cons "github.com/sluicehq/sluice/backend/consumers"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
)

// switchedMsg answers a stop or a start.
type switchedMsg struct {
	common.Stamp
	ref  cons.Ref
	verb string
	c    cons.Consumer
	err  error
}

// followedMsg is one read of a consumer being followed.
type followedMsg struct {
	common.Stamp
	ref     cons.Ref
	c       cons.Consumer
	settled bool
	err     error
}

// askSwitch stops a running consumer or starts a stopped one, after a
// confirmation that names it and the action; refused, with the reason,
// under read-only.
func (p *Pane) askSwitch(c cons.Consumer) tea.Cmd {
	stop := !c.Stopped()
	verb, ref := c.Verb(stop), c.Ref()
	env := p.c.Environment()
	what := verb + " " + inert.Line(ref.String())
	if env.ReadOnly() {
		why := "no session"
		if env.Session != nil {
			why = env.Session.ReadOnlyReason()
		}
		return common.Status(common.Warning, what+": refused, "+why)
	}
	if _, busy := p.following[ref.Name]; busy {
		return common.Status(common.Warning, what+": wait, it is still "+inert.Line(c.State))
	}
	lines := []string{
		fmt.Sprintf("%s reads stream %s and is %s.", ref, inventory.StreamName(c.Source), stateText(c)),
	}
	if stop {
		lines = append(lines, "Stopped, it delivers nothing; records wait in the stream (its retention still runs).")
	} else {
		lines = append(lines, "Started, it resumes from its checkpoint.")
	}
	for i := range lines {
		lines[i] = inert.Line(lines[i])
	}
	stamp := common.SessionStamp(p.host, env)
	run := func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		var got cons.Consumer
		var err error
		if stop {
			got, err = cons.Stop(ctx, env.Session, ref)
		} else {
			got, err = cons.Start(ctx, env.Session, ref)
		}
		return switchedMsg{Stamp: stamp, ref: ref, verb: verb, c: got, err: err}
	}
	w := common.Write{Tab: p.host, What: what, Title: capital(what) + "?", Lines: lines, Start: run}
	return w.Ask(env)
}

func (p *Pane) switched(msg switchedMsg) tea.Cmd {
	what := msg.verb + " " + inert.Line(msg.ref.String())
	if msg.err != nil {
		return common.Fail(fmt.Errorf("%s: %w", what, msg.err), nil)
	}
	if !msg.Fresh(common.SessionStamp(p.host, p.c.Environment())) {
		return common.Status(common.Success, what+": asked (another profile is shown now)")
	}
	p.replace(msg.c)
	status := common.Status(common.Info, what+": "+inert.Line(stateText(msg.c))+", following…")
	if msg.c.Settled() {
		return tea.Batch(common.Status(common.Success, what+": "+inert.Line(stateText(msg.c))), p.describe())
	}
	env := p.c.Environment()
	f := cons.NewFollower(env.Session, msg.ref)
	p.following[msg.ref.Name] = f
	return tea.Batch(status, p.follow(msg.ref, f))
}

// follow reads the consumer again after the follower's backoff.
func (p *Pane) follow(ref cons.Ref, f *cons.Follower) tea.Cmd {
	env := p.c.Environment()
	stamp := common.SessionStamp(p.host, env)
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout + f.Delay())
		defer cancel()
		c, settled, err := f.Next(ctx)
		return followedMsg{Stamp: stamp, ref: ref, c: c, settled: settled, err: err}
	}
}

func (p *Pane) followed(msg followedMsg) tea.Cmd {
	f := p.following[msg.ref.Name]
	if f == nil || !msg.Fresh(common.SessionStamp(p.host, p.c.Environment())) {
		return nil
	}
	if msg.err != nil {
		delete(p.following, msg.ref.Name)
		if msg.c.Name != "" {
			p.replace(msg.c)
		}
		return common.Fail(msg.err, nil)
	}
	p.replace(msg.c)
	if !msg.settled {
		return p.follow(msg.ref, f)
	}
	delete(p.following, msg.ref.Name)
	return tea.Batch(common.Status(common.Success, inert.Line(msg.ref.String())+": "+inert.Line(stateText(msg.c))), p.describe())
}

func stateText(c cons.Consumer) string { return c.StateLine() }

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
