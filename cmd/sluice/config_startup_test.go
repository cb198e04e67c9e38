package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUIStartWithABadConfigNamesTheLine: the UI started on a config file
// with a mis-indented list item (line 6) or a misspelt field (colour, on
// line 4) ends before drawing anything, with an error that names the
// file, the item's own line (yaml reports line 2, where the list starts)
// and the field as the file spells it, with the known fields (not Go's
// type names). The same error ends a command.
func TestUIStartWithABadConfigNamesTheLine(t *testing.T) {
	isolateInventory(t)
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"mis-indented item", "default_profile: a\nprofiles:\n  - name: a\n    region: x\n  - name: b\n - name: c\n",
			[]string{": line 6"}},
		{"misspelt field", "theme: dark\nprofiles:\n  - name: a\n    colour: red\n",
			[]string{"unknown field `colour` in profiles[0] (line 4, column 5)", "known fields are name, aws_profile, region, endpoint, color, readonly"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(c.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			var out lockedBuffer
			in, feed := openInput()
			defer feed.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := runTUI(ctx, tuiFlags{configPath: path}, tuiRun{in: in, out: &out})
			if err == nil {
				t.Fatal("the UI started on a bad config")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config "+path+": ") {
				t.Errorf("the error does not name the file: %q", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error %q lacks %q", msg, w)
				}
			}
			if out.b.Len() != 0 {
				t.Errorf("the UI drew %d bytes before failing", out.b.Len())
			}
			_, _, cmdErr := invSluice(t, nil, "streams", "--config", path)
			if cmdErr == nil || cmdErr.Error() != msg {
				t.Errorf("a command's error %v, want the UI's %q", cmdErr, msg)
			}
		})
	}
}
