package common

import (
	"cmp"
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Write is a change to data, carried out the one way every tab does it:
// refused under read-only, then confirmed in a dialog whose default is
// No, then run with a timeout, its outcome reported in the status bar,
// and the tab loaded again so that what is shown is what is there.
type Write struct {
	// Tab is the tab the outcome goes back to.
	Tab TabID
	// What names the write in a refusal ("purge", "delete").
	What string
	// Title, Lines and TypeToConfirm are the confirmation's: the lines
	// say what will change; TypeToConfirm, when set, must be typed.
	Title         string
	Lines         []string
	TypeToConfirm string
	// Timeout bounds Do; CallTimeout when zero.
	Timeout time.Duration
	// Do carries the write out and says how it went.
	Do func(ctx context.Context) StatusMsg
	// Start, instead of Do, begins work that reports on its own (a
	// hydration, a bulk replay, a redrive's move task).
	Start tea.Cmd
	// RetryOnFailure: a failed write leaves the tab as it is, and ctrl+r
	// asks again. Otherwise the tab loads again whatever happened, since
	// a failed write of many items may have done part of its work.
	RetryOnFailure bool
}

// DoneMsg is the outcome of an action (a write, an export), for the tab
// that asked.
type DoneMsg struct {
	Stamp
	Status StatusMsg
	// Reload asks the tab to load again.
	Reload bool
}

// Ask is the command that refuses the write under read-only, or asks
// before carrying it out.
func (w Write) Ask(env *Env) tea.Cmd {
	if refused := RefuseReadOnly(env, w.What); refused != nil {
		return refused
	}
	if w.Start != nil {
		return Confirm(w.Title, w.Lines, w.TypeToConfirm, w.Start)
	}
	stamp := SessionStamp(w.Tab, env)
	timeout := cmp.Or(w.Timeout, CallTimeout)
	var ask tea.Cmd
	run := func() tea.Msg {
		ctx, cancel := env.CallContext(timeout)
		defer cancel()
		status := w.Do(ctx)
		keep := status.Level == Failure && w.RetryOnFailure
		if keep {
			status.Retry = ask
		}
		return DoneMsg{Stamp: stamp, Status: status, Reload: !keep}
	}
	ask = Confirm(w.Title, w.Lines, w.TypeToConfirm, run)
	return ask
}

// Report shows the outcome and, when it asks and still belongs to the
// session current stands for, loads the tab again with reload. A write
// made before a profile switch is still reported: it happened.
func (w DoneMsg) Report(current Stamp, reload func() tea.Cmd) tea.Cmd {
	status := w.Status
	show := func() tea.Msg { return status }
	if !w.Reload || !w.Fresh(current) {
		return show
	}
	return tea.Batch(show, reload())
}

// TypeNameOver is the name a confirmation of count items needs typed: none
// up to TypeToConfirmOver.
func TypeNameOver(count int, name string) string {
	if count > TypeToConfirmOver {
		return name
	}
	return ""
}
