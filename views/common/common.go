// Package common is what every view shares: its size, styles and keys, the
// session it operates through, the tab interface, and the messages views
// and the root exchange.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

// TabID names a tab; data messages carry it so the root delivers them to
// the tab that asked, even when another is showing.
type TabID int

const (
	StreamsTab TabID = iota
	ShardsTab
	DLQTab
	ArchivesTab
	MetricsTab
)

// Common is what every view needs to draw and act. The root owns it and
// changes it (its size, the session) before telling the tabs; views read
// it and never write it.
type Common struct {
	Width, Height int
	Styles        *theme.Styles
	Keys          *keymap.KeyMap
	Env           *Env
}

// Env is the session the app operates through; the root replaces it when
// the operator switches profile or region, and never changes one it has
// handed out, so a command may keep the Env it was made with.
type Env struct {
	Session *backend.Session
	Config  config.File
	// ArchiveFlag is --archive: where archives live when nothing else says.
	ArchiveFlag string
	// Gen counts sessions: a reply made for an older one is dropped.
	Gen int
	// Profiles are the profiles the picker offers, and OpenOther opens
	// one of them beside the session, for a copy into it: as the config
	// describes it, so that its own readonly guards the copy's writes.
	// OpenOther is nil where no other profile can be opened.
	Profiles  []backend.Profile
	OpenOther func(ctx context.Context, p backend.Profile) (*backend.Session, error)
	// Ctx is the session's: the root cancels it when the operator
	// switches profile or quits, so that no call made for the session
	// outlives it. Nil reads as context.Background (tests).
	Ctx context.Context
	// Inventory is the session's discoveries, shared by every tab: what
	// one tab read lately another does not read again. Nil shares
	// nothing (tests of one tab).
	Inventory *inventory.Inventory
}

// Shared is the option that makes a listing read through the session's
// inventory.
func (e *Env) Shared() inventory.Option {
	if e == nil {
		return inventory.Shared(nil)
	}
	return inventory.Shared(e.Inventory)
}

// InventoryNow is the session inventory's Instant of this moment, taken
// when a load is asked for (a tab opened, refreshed, due): with
// SharedSince, no read made before it answers that load.
func (e *Env) InventoryNow() inventory.Instant {
	if e == nil {
		return inventory.Instant{}
	}
	return e.Inventory.Now()
}

// SharedSince is the option that makes a listing read through the
// session's inventory, answered only by reads started after since (an
// InventoryNow): what the other tabs read at once with it is shared, an
// older read is not.
func (e *Env) SharedSince(since inventory.Instant) inventory.Option {
	if e == nil {
		return inventory.SharedSince(nil, since)
	}
	return inventory.SharedSince(e.Inventory, since)
}

// RefreshInventory makes the session's next listings read AWS again: the
// operator asked for a refresh.
func (e *Env) RefreshInventory() {
	if e != nil && e.Inventory != nil {
		e.Inventory.Refresh()
	}
}

// Environment is c's Env, or an empty one before any session exists, so
// that views need no nil checks.
func (c *Common) Environment() *Env {
	if c.Env == nil {
		return &Env{}
	}
	return c.Env
}

// TypeToConfirmOver is the count of items above which a bulk action needs
// the resource's name typed in its confirmation.
const TypeToConfirmOver = 100

// RefuseReadOnly says, without asking, that a write is not offered under
// read-only; nil when writes are allowed.
func RefuseReadOnly(env *Env, what string) tea.Cmd {
	if !env.ReadOnly() {
		return nil
	}
	return Status(Warning, what+": refused, read-only")
}

// ReadOnly reports whether writes are refused.
func (e *Env) ReadOnly() bool { return e == nil || e.Session == nil || e.Session.ReadOnly() }

// The timeouts of the calls views make, so that a hung connection never
// hangs a view.
const (
	// CallTimeout bounds one AWS call (or a listing's few pages).
	CallTimeout = 30 * time.Second
	// BulkTimeout bounds work over many items, one call each: marking or
	// deleting a selection of events, exporting a queue.
	BulkTimeout = 5 * time.Minute
	// TraceTimeout bounds a trace, which reads stream, DLQs and archive.
	TraceTimeout = 2 * time.Minute
	// OpenTimeout bounds opening a session (a profile switch), which may
	// start a local engine or wait on SSO.
	OpenTimeout = time.Minute
)

// Context is the session's context, ended by a profile switch or quit.
func (e *Env) Context() context.Context {
	if e == nil || e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}

// CallContext gives a call made for e's session its timeout; it ends
// sooner if the session does.
func (e *Env) CallContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(e.Context(), timeout)
}

// Tab is one tab of the app. Only the root returns a tea.View; tabs draw
// strings of exactly their size.
type Tab interface {
	ID() TabID
	Title() string
	Init() tea.Cmd
	Update(tea.Msg) (Tab, tea.Cmd)
	View() string
	SetSize(width, height int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing reports whether the tab is taking text (a filter, a form),
	// so that the root hands it every key, global ones included.
	Capturing() bool
}

// Routed is a message meant for one tab.
type Routed interface {
	RouteTo() TabID
}

// Level is how a status line reads.
type Level int

const (
	Info Level = iota
	Success
	Warning
	Failure
)

// StatusMsg puts a line in the status bar. Retry, when set, runs on
// ctrl+r.
type StatusMsg struct {
	Text  string
	Level Level
	Retry tea.Cmd
}

// SucceededMsg tells the root that a read or an action worked: a failure
// still in the status bar is old news then, and is cleared. The status
// bar is for transient news; a lasting failure is said in the tab.
type SucceededMsg struct{}

// Succeeded is a command that sends SucceededMsg.
func Succeeded() tea.Msg { return SucceededMsg{} }

// Status is a command that shows text.
func Status(level Level, text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Level: level} }
}

// Fail shows err in the status bar with a retry.
func Fail(err error, retry tea.Cmd) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: err.Error(), Level: Failure, Retry: retry} }
}

// OpenMsg asks the root to show a tab and hand it a target: the stream
// whose shards to list, the queue to browse, the consumer to list.
type OpenMsg struct {
	Tab    TabID
	Target string
	// Extra carries what the target needs beyond its name (a pipeline, a
	// trace request).
	Extra any
}

func (m OpenMsg) RouteTo() TabID { return m.Tab }

// Open is a command that opens target in tab.
func Open(tab TabID, target string, extra any) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Tab: tab, Target: target, Extra: extra} }
}

// ConfirmRequest asks the root to ask the operator. The root refuses it
// under read-only, shows a dialog whose default is No, and runs OnYes only
// on an explicit yes. TypeToConfirm, when set, must be typed first.
type ConfirmRequest struct {
	Title string
	// Lines say what will change.
	Lines         []string
	TypeToConfirm string
	OnYes         tea.Cmd
}

// Confirm is a command that asks before onYes.
func Confirm(title string, lines []string, typeToConfirm string, onYes tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		return ConfirmRequest{Title: title, Lines: lines, TypeToConfirm: typeToConfirm, OnYes: onYes}
	}
}

// SessionMsg tells every tab that the root replaced Common's Env (another
// profile or region, or the world changed): drop what was loaded and load
// again.
type SessionMsg struct{}

// RefreshMsg asks the focused tab to load again (ctrl+r).
type RefreshMsg struct{}

// FocusMsg tells a tab whether it is the one shown: a tab that refreshes
// on a timer of its own calls AWS only while it is shown, and catches up
// when it is shown again.
type FocusMsg struct{ Focused bool }

// AutoRefreshMsg comes to the focused tab every ClockEvery: the tab
// redraws how old what it shows is, and reads again each list whose
// Freshness is due. A refresh never does anything with a side effect (a
// DLQ browse raises receive counts, so it is not repeated). A tab shown
// again (FocusMsg) reads what fell due while it was hidden.
type AutoRefreshMsg struct{}

// TraceRequest asks for one event across stream, DLQ, archive and replays.
type TraceRequest struct {
	StreamARN, ShardID, SequenceNumber string
	// EventID is the archive id, when known.
	EventID string
	// Consumer narrows the archive search.
	Consumer string
}

// TraceMsg opens the trace view over the current tab.
type TraceMsg struct{ Request TraceRequest }

// Trace is a command that opens the trace view.
func Trace(r TraceRequest) tea.Cmd {
	return func() tea.Msg { return TraceMsg{Request: r} }
}

// CopyMsg asks the root to copy text to the clipboard (OSC 52). Text
// from data goes through Clipboard first; Note says how the copy differs
// from the bytes (escaped, base64), for the status line.
type CopyMsg struct {
	Text, What, Note string
}

// TailAll, as OpenMsg.Extra for the Shards tab, starts tailing every shard.
type TailAll struct{}

// ShowConsumers, as OpenMsg.Extra for the Streams tab, opens the pane of
// the target stream's consumers.
type ShowConsumers struct{}

// Gather blocks for the next item of ch, then takes whatever else is
// ready, up to max: progress from background work reaches the view as
// one message per frame's worth, not one per event. closed reports that
// ch was closed.
func Gather[T any](ch <-chan T, max int) (items []T, closed bool) {
	item, ok := <-ch
	if !ok {
		return nil, true
	}
	items = []T{item}
	for len(items) < max {
		select {
		case item, ok := <-ch:
			if !ok {
				return items, true
			}
			items = append(items, item)
		default:
			return items, false
		}
	}
	return items, false
}

// Stopper is a tab with background work (a live tail, a bulk job) that
// must end when the app quits; Stop must not block.
type Stopper interface {
	Stop()
}
