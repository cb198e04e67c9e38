package confirm

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/theme"
)

func dialog(typeName string) Model {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	return New(&st, &km.Dialog, "Purge orders-dlq", []string{"Deletes every message in orders-dlq."}, typeName)
}

func keys(m Model, ks ...tea.KeyPressMsg) Model {
	for _, k := range ks {
		m, _ = m.Update(k)
	}
	return m
}

var (
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
	esc   = tea.KeyPressMsg{Code: tea.KeyEscape}
	tab   = tea.KeyPressMsg{Code: tea.KeyTab}
)

func text(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

func TestDefaultIsNo(t *testing.T) {
	if a := keys(dialog(""), enter).Answer(); a != No {
		t.Fatalf("enter on a fresh dialog = %v, want No", a)
	}
	if a := keys(dialog(""), esc).Answer(); a != No {
		t.Fatalf("esc = %v", a)
	}
	if a := keys(dialog(""), text("y")...).Answer(); a != Yes {
		t.Fatalf("y = %v", a)
	}
	if a := keys(dialog(""), tab, enter).Answer(); a != Yes {
		t.Fatalf("tab enter = %v", a)
	}
}

func TestTypedNameIsNeededBeforeYes(t *testing.T) {
	m := keys(dialog("orders-dlq"), text("y")...)
	if m.Answer() != Pending {
		t.Fatalf("y before the name = %v", m.Answer())
	}
	m = keys(dialog("orders-dlq"), enter)
	if m.Answer() != Pending {
		t.Fatalf("enter before the name = %v", m.Answer())
	}
	m = keys(dialog("orders-dlq"), text("orders-dlq")...)
	if m.Answer() != Pending {
		t.Fatalf("typing the name answered %v", m.Answer())
	}
	// Still No by default once typed.
	if a := keys(m, enter).Answer(); a != No {
		t.Fatalf("enter after typing = %v, want No", a)
	}
	if a := keys(m, tab, enter).Answer(); a != Yes {
		t.Fatalf("tab enter after typing = %v", a)
	}
	if a := keys(dialog("orders-dlq"), esc).Answer(); a != No {
		t.Fatalf("esc = %v", a)
	}
}

func TestViewNamesWhatChangesAndIsInert(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	m := New(&st, &km.Dialog, "Delete \x1b[2Jx", []string{"key \x1b]52;c;aGk=\x07"}, "")
	v := m.View(80)
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\x1b]52") {
		t.Fatalf("escape in dialog: %q", v)
	}
	if !strings.Contains(ansi.Strip(v), "No") || !strings.Contains(ansi.Strip(v), "Delete") {
		t.Fatalf("view %s", ansi.Strip(v))
	}
}

func TestLongLinesWrapInsteadOfBeingCut(t *testing.T) {
	st := theme.New(theme.Dark(), false)
	km := keymap.Default()
	long := "The records each failure points at are read from the stream and written to the archive; a message is deleted only after its objects are read back."
	v := ansi.Strip(New(&st, &km.Dialog, "Hydrate", []string{long}, "").View(60))
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╰", " ", "─", " ", "╮", " ", "╯", " ").Replace(v)), " ")
	if !strings.Contains(flat, "deleted only after its objects are read back.") || strings.Contains(v, "…") {
		t.Fatalf("the line was cut:\n%s", v)
	}
}
