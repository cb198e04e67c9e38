package main

import (
	"io"
	"strings"
	"testing"
)

func TestArgumentErrorsNameWhatIsMissing(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dlq", "peek"}, "usage: sluice dlq peek QUEUE"},
		{[]string{"dlq", "delete", "q"}, "usage: sluice dlq delete QUEUE ID..."},
		{[]string{"tail", "orders", "--bogus"}, "usage: sluice tail STREAM"},
	} {
		root := newRootCmd(buildInfo{Version: "test"})
		root.SetArgs(c.args)
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}
