package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// rememberProfile writes the UI's state as if name had been opened last.
func rememberProfile(t *testing.T, name string) {
	t.Helper()
	saveState(uiState{Profile: name})
	if loadState().Profile != name {
		t.Fatalf("state not written to %s", statePath())
	}
}

func TestChooseProfilePassesOverRememberedNamesOnly(t *testing.T) {
	all := []backend.Profile{{Name: backend.LocalProfile}, {Name: "dev"}}
	t.Setenv("AWS_PROFILE", "")
	for _, c := range []struct {
		name, flag, last, def string
		want, note            string
		fails                 bool
	}{
		{name: "nothing remembered", want: "local"},
		{name: "last used", last: "dev", want: "dev"},
		{name: "last used gone", last: "gone", want: "local", note: "profile gone no longer exists; using local"},
		{name: "last gone, default next", last: "gone", def: "dev", want: "dev", note: "profile gone no longer exists; using dev"},
		{name: "default gone", def: "old", want: "local", note: "profile old (the config's default_profile) does not exist; using local"},
		{name: "a flag beats the rest", flag: "dev", last: "gone", want: "dev"},
		{name: "a flag naming nothing fails", flag: "gone", fails: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, note, err := chooseProfile(all, c.flag, c.last, config.File{DefaultProfile: c.def})
			if c.fails {
				if err == nil {
					t.Fatalf("picked %s, want an error", p.Name)
				}
				return
			}
			if err != nil || p.Name != c.want || note != c.note {
				t.Fatalf("got %q note %q err %v, want %q note %q", p.Name, note, err, c.want, c.note)
			}
		})
	}
}

// A command run after the UI's last profile was deleted uses local, and
// says so on stderr rather than silently.
func TestCommandFallsBackToLocalWhenTheDefaultProfileIsGone(t *testing.T) {
	isolateInventory(t)
	e := enginetest.Start(t)
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "sluice")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("default_profile: gone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := invSluice(t, nil, "streams", "-o", "json", "--endpoint-url", e.URL)
	if err != nil {
		t.Fatalf("err %v\nstderr %s", err, errOut)
	}
	if !strings.Contains(errOut, "note: profile gone (the config's default_profile) does not exist; using local\n") {
		t.Errorf("stderr %q does not say the profile is gone", errOut)
	}
	var streams []json.RawMessage
	if err := json.Unmarshal([]byte(out), &streams); err != nil {
		t.Errorf("stdout is not the streams of local: %v\n%s", err, out)
	}
}

// The UI opens local when the last profile is gone, with the news in the
// status bar, instead of exiting.
func TestUIFallsBackToLocalWhenTheLastProfileIsGone(t *testing.T) {
	isolateInventory(t)
	e := enginetest.Start(t)
	rememberProfile(t, "gone")
	var out lockedBuffer
	in, feed := openInput()
	defer feed.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runTUI(ctx, tuiFlags{endpoint: e.URL}, tuiRun{in: in, out: &out, onStart: func(send func(tea.Msg)) {
			// Off a terminal, nobody reports the size; until the program
			// has one it draws nothing.
			go func() {
				for ctx.Err() == nil {
					send(tea.WindowSizeMsg{Width: 160, Height: 30})
					time.Sleep(100 * time.Millisecond)
				}
			}()
		}})
	}()
	want := "profile gone no longer exists; using local"
	deadline := time.After(8 * time.Second)
	for !strings.Contains(ansi.Strip(out.String()), want) {
		select {
		case err := <-done:
			t.Fatalf("the UI ended (%v) without showing %q:\n%s", err, want, ansi.Strip(out.String()))
		case <-deadline:
			t.Fatalf("no %q on screen (%d bytes):\n%q", want, len(out.String()), out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runTUI: %v", err)
	}
	if got := loadState().Profile; got != backend.LocalProfile {
		t.Errorf("remembered %q, want local", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// openInput is an input that stays open, as a terminal does.
func openInput() (*os.File, *os.File) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	return r, w
}

// A command never follows the profile last opened in the UI: only a flag,
// $AWS_PROFILE or default_profile send it to a real account.
func TestCommandIgnoresTheProfileLastOpenedInTheUI(t *testing.T) {
	isolateInventory(t)
	rememberProfile(t, "prod")
	p, note, err := pickProfile("", config.File{})
	if err != nil || p.Name != backend.LocalProfile || note != "" {
		t.Fatalf("picked %q (note %q, err %v), want local", p.Name, note, err)
	}
}

// A copy's destination is opened beside the profile operated: it is not
// remembered as the profile to start with (it was, and the next start
// opened it), and --readonly, which guards the profile operated, does not
// make it read-only; switching the profile operated still remembers it
// and keeps --readonly.
func TestCopyDestinationIsNotRememberedNorReadOnlyByFlag(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	e := enginetest.Start(t)
	env := backend.Env{Local: func(context.Context) (string, error) { return e.URL, nil }, HTTPClient: enginetest.HTTPClient()}
	open, openOther := profileOpeners(tuiFlags{readOnly: true}, backend.LocalProfile, env)
	local := backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal}
	dev := backend.Profile{Name: "dev", Kind: backend.KindLocal, Region: "eu-west-1"}

	s, err := open(t.Context(), local, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ReadOnly() || loadState().Profile != backend.LocalProfile {
		t.Fatalf("opened: read-only %v, remembered %q", s.ReadOnly(), loadState().Profile)
	}
	d, err := openOther(t.Context(), dev)
	if err != nil {
		t.Fatal(err)
	}
	if d.ReadOnly() {
		t.Error("--readonly made the copy's destination read-only")
	}
	if got := loadState().Profile; got != backend.LocalProfile {
		t.Errorf("the copy's destination was remembered: %q", got)
	}
}
