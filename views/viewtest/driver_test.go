package viewtest

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/views/common"
)

// echo is a tab message of one tab.
type echo struct {
	common.Stamp
	n int
}

func TestDriverFeedsTheTabItsOwnAndKeepsTheRoots(t *testing.T) {
	var got []int
	d := &Driver{T: t, Tab: common.DLQTab}
	d.Update = func(msg tea.Msg) tea.Cmd {
		e, ok := msg.(echo)
		if !ok {
			return nil
		}
		got = append(got, e.n)
		if e.n < 3 {
			return func() tea.Msg { return echo{e.Stamp, e.n + 1} }
		}
		return tea.Batch(common.Status(common.Info, "done"), func() tea.Msg { return echo{common.Stamp{Tab: common.ShardsTab}, 9} })
	}
	d.Send(echo{common.Stamp{Tab: common.DLQTab}, 1})
	if len(got) != 3 || got[2] != 3 {
		t.Fatalf("the tab got %v", got)
	}
	if st := Take[common.StatusMsg](d); len(st) != 1 || st[0].Text != "done" {
		t.Fatalf("statuses %v", st)
	}
	if len(d.Out) != 1 || d.Out[0].(echo).n != 9 {
		t.Fatalf("another tab's message was not kept for the root: %v", d.Out)
	}
}

func TestCheckViewReturnsThePlainView(t *testing.T) {
	if got := CheckView(t, "\x1b[1mab\x1b[0m\ncd", 2, 2); got != "ab\ncd" {
		t.Fatalf("%q", got)
	}
	if got := CheckView(t, "127.0.0.1:45678", 15, 1); got != "127.0.0.1:PPPPP" {
		t.Fatalf("%q", got)
	}
}
