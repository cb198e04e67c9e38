// Package keymap holds every key binding of the terminal UI, grouped by the
// scope where it applies, with its help text; the config file can rebind
// any of them by name.
package keymap

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every binding, by scope. A key press goes to Global first,
// then to the focused tab's scope and the List scope.
type KeyMap struct {
	Global   Global
	List     List
	Streams  Streams
	Shards   Shards
	DLQ      DLQ
	Archives Archives
	Metrics  Metrics
	// Consumers works in the Streams and DLQ tabs (Open) and in the
	// consumer pane they open.
	Consumers Consumers
	Dialog    Dialog
	Input     Input
}

// Global works everywhere.
type Global struct {
	Quit, Help, Palette, Profiles, CallLog, Refresh, NextTab, PrevTab key.Binding
	Tab1, Tab2, Tab3, Tab4, Tab5                                      key.Binding
	// Deadline opens the DLQ the status bar warns of and offers to
	// hydrate it.
	Deadline key.Binding
}

// List moves through any list, table or pane.
type List struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Open, Back, Filter, Trace, Copy key.Binding
	// SortNext and SortPrev move the sort to the next or previous column
	// (past the last, the rows' own order); SortFlip turns its direction.
	SortNext, SortPrev, SortFlip key.Binding
}

// Streams acts on streams.
type Streams struct {
	Create, Delete, Retention, PutRecord key.Binding
}

// Shards drives the shard list and the live tail.
type Shards struct {
	Tail, TailAll, Pause, From, JQ, Detail, Export key.Binding
}

// DLQ acts on dead-letter queues and their messages.
type DLQ struct {
	Hydrate, HydrateAll, Redrive, Delete, Purge, Export, Select key.Binding
	// Browse receives a queue's messages again (raising their receive
	// counts): nothing else does once a queue has been browsed.
	Browse key.Binding
}

// Archives acts on archived events.
type Archives struct {
	Replay, Select, ReplayMany, Mark, Delete, ShowReplayed, Range, JQ, PartitionKey key.Binding
	// CopyTo copies events into another profile's target (not a replay:
	// the source is not marked).
	CopyTo key.Binding
}

// Metrics changes what the charts show.
type Metrics struct {
	Range, AutoRefresh key.Binding
}

// Consumers opens a stream's consumers (or a DLQ's sources) and stops or
// starts the one selected.
type Consumers struct {
	Open, Toggle key.Binding
}

// Dialog answers a confirmation.
type Dialog struct {
	Yes, No, Switch, Confirm key.Binding
}

// Input edits a line of text (a prompt, a form's field). A line being
// edited takes every key, so these are checked on their own, like the
// dialog's; any other key that types text inserts it.
type Input struct {
	Left, Right, Home, End, Backspace, DeleteWord, Clear, Cancel, Submit key.Binding
}

func bind(help string, keys ...string) key.Binding {
	name := strings.Join(keys, "/")
	name = strings.NewReplacer("up", "↑", "down", "↓", "pgup", "pgup", "pgdown", "pgdn").Replace(name)
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(name, help))
}

// Default is sluice's key map: k9s and vim habits.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			Quit:     bind("quit", "q", "ctrl+c"),
			Help:     bind("help", "?"),
			Palette:  bind("command", ":"),
			Profiles: bind("profiles", "P"),
			CallLog:  bind("call log", "L"),
			Refresh:  bind("refresh", "ctrl+r"),
			NextTab:  bind("next tab", "tab"),
			PrevTab:  bind("previous tab", "shift+tab"),
			Tab1:     bind("streams", "1"),
			Tab2:     bind("shards", "2"),
			Tab3:     bind("dlqs", "3"),
			Tab4:     bind("archives", "4"),
			Tab5:     bind("metrics", "5"),
			Deadline: bind("hydrate the DLQ warned of", "ctrl+g"),
		},
		List: List{
			Up:       bind("up", "up", "k"),
			Down:     bind("down", "down", "j"),
			Top:      bind("top", "g", "home"),
			Bottom:   bind("bottom", "G", "end"),
			PageUp:   bind("page up", "pgup", "ctrl+b"),
			PageDown: bind("page down", "pgdown", "ctrl+f"),
			Open:     bind("open", "enter"),
			Back:     bind("back", "esc"),
			Filter:   bind("filter", "/"),
			Trace:    bind("trace", "t"),
			Copy:     bind("copy", "y"),
			SortNext: bind("sort by next column", ">"),
			SortPrev: bind("sort by previous column", "<"),
			SortFlip: bind("flip sort", "s"),
		},
		Streams: Streams{
			Create:    bind("create stream", "c"),
			Delete:    bind("delete stream", "D"),
			Retention: bind("retention", "R"),
			PutRecord: bind("put record", "p"),
		},
		Shards: Shards{
			Tail:    bind("tail shard", "l"),
			TailAll: bind("tail all", "a"),
			Pause:   bind("pause", "space"),
			From:    bind("tail from", "f"),
			JQ:      bind("jq filter", "J"),
			Detail:  bind("detail", "v"),
			Export:  bind("export", "e"),
		},
		DLQ: DLQ{
			Hydrate:    bind("hydrate", "h"),
			HydrateAll: bind("hydrate all", "H"),
			Redrive:    bind("redrive", "r"),
			Delete:     bind("delete", "d"),
			Purge:      bind("purge", "X"),
			Export:     bind("export", "e"),
			Select:     bind("select", "space"),
			Browse:     bind("browse again", "b"),
		},
		Archives: Archives{
			Replay:       bind("replay", "r"),
			Select:       bind("select", "space"),
			ReplayMany:   bind("replay many", "R"),
			Mark:         bind("mark replayed", "m"),
			Delete:       bind("delete", "d"),
			ShowReplayed: bind("show replayed", "x"),
			Range:        bind("time range", "T"),
			JQ:           bind("jq filter", "J"),
			PartitionKey: bind("partition key", "K"),
			CopyTo:       bind("copy to profile", "C"),
		},
		Metrics: Metrics{
			Range:       bind("time range", "T"),
			AutoRefresh: bind("auto refresh", "A"),
		},
		Consumers: Consumers{
			Open:   bind("consumers", "C"),
			Toggle: bind("stop/start consumer", "S"),
		},
		Dialog: Dialog{
			Yes:     bind("yes", "y"),
			No:      bind("no", "n", "esc"),
			Switch:  bind("switch", "left", "right", "tab"),
			Confirm: bind("confirm", "enter"),
		},
		Input: Input{
			Left:       bind("left", "left", "ctrl+b"),
			Right:      bind("right", "right", "ctrl+f"),
			Home:       bind("start of line", "home", "ctrl+a"),
			End:        bind("end of line", "end", "ctrl+e"),
			Backspace:  bind("delete back", "backspace", "ctrl+h"),
			DeleteWord: bind("delete word", "ctrl+w", "alt+backspace"),
			Clear:      bind("clear", "ctrl+u"),
			Cancel:     bind("cancel", "esc"),
			Submit:     bind("submit", "enter"),
		},
	}
}

// Scope names, as used in the config file ("dlq.purge").
var scopeNames = []string{"global", "list", "streams", "shards", "dlq", "archives", "metrics", "consumers", "dialog", "input"}

// scopes maps each scope name to its struct, for rebinding and listing.
func (k *KeyMap) scopes() map[string]reflect.Value {
	return map[string]reflect.Value{
		"global": reflect.ValueOf(&k.Global).Elem(), "list": reflect.ValueOf(&k.List).Elem(),
		"streams": reflect.ValueOf(&k.Streams).Elem(), "shards": reflect.ValueOf(&k.Shards).Elem(),
		"dlq": reflect.ValueOf(&k.DLQ).Elem(), "archives": reflect.ValueOf(&k.Archives).Elem(),
		"metrics": reflect.ValueOf(&k.Metrics).Elem(), "consumers": reflect.ValueOf(&k.Consumers).Elem(),
		"dialog": reflect.ValueOf(&k.Dialog).Elem(),
		"input":  reflect.ValueOf(&k.Input).Elem(),
	}
}

// Named is one binding with its config name ("dlq.purge").
type Named struct {
	Name    string
	Binding key.Binding
}

// Scope lists a scope's bindings in declaration order.
func (k KeyMap) Scope(name string) []Named {
	v, ok := k.scopes()[name]
	if !ok {
		return nil
	}
	out := make([]Named, 0, v.NumField())
	for i := 0; i < v.NumField(); i++ {
		b := v.Field(i).Interface().(key.Binding)
		out = append(out, Named{Name: name + "." + strings.ToLower(v.Type().Field(i).Name), Binding: b})
	}
	return out
}

// ScopeNames lists the scopes.
func ScopeNames() []string { return append([]string(nil), scopeNames...) }

// Apply rebinds actions from the config file: "scope.action" to keys. An
// unknown name is an error that lists the known ones.
func (k *KeyMap) Apply(overrides map[string][]string) error {
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := overrides[name]
		scope, action, ok := strings.Cut(name, ".")
		v, known := k.scopes()[scope]
		if !ok || !known {
			return fmt.Errorf("keys: %q: want scope.action, scopes are %s", name, strings.Join(scopeNames, ", "))
		}
		field := fieldByLowerName(v, action)
		if !field.IsValid() {
			return fmt.Errorf("keys: no action %q in scope %s (see `?` in the app for the names)", action, scope)
		}
		if len(keys) == 0 {
			return fmt.Errorf("keys: %s: give at least one key", name)
		}
		old := field.Interface().(key.Binding)
		field.Set(reflect.ValueOf(key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(keys, "/"), old.Help().Desc))))
	}
	return nil
}

func fieldByLowerName(v reflect.Value, name string) reflect.Value {
	for i := 0; i < v.NumField(); i++ {
		if strings.ToLower(v.Type().Field(i).Name) == strings.ToLower(name) {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

// Collisions lists keys bound twice among the scopes that are live at the
// same time: global, list, and each tab's scope (with consumers for the
// tabs that open the consumer pane); the dialog alone; the input alone.
func (k KeyMap) Collisions() []string {
	var out []string
	check := func(scopes ...string) {
		owner := map[string]string{}
		for _, s := range scopes {
			for _, n := range k.Scope(s) {
				for _, key := range n.Binding.Keys() {
					if prev, dup := owner[key]; dup {
						out = append(out, fmt.Sprintf("%q is bound to both %s and %s", key, prev, n.Name))
					}
					owner[key] = n.Name
				}
			}
		}
	}
	for _, tab := range []string{"shards", "archives", "metrics"} {
		check("global", "list", tab)
	}
	// The consumer pane opens from these two and takes their keys.
	for _, tab := range []string{"streams", "dlq"} {
		check("global", "list", tab, "consumers")
	}
	check("dialog")
	check("input")
	sort.Strings(out)
	return dedupe(out)
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || s[i-1] != v {
			out = append(out, v)
		}
	}
	return out
}
