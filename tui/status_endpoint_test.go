package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/views/common"
)

// TestStatusBarShowsAServicesOwnEndpoint: with only S3 sent elsewhere
// (AWS_ENDPOINT_URL_S3, as for a local MinIO), the status bar says so,
// where it used to show no endpoint at all and look like production.
func TestStatusBarShowsAServicesOwnEndpoint(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000")
	if err := os.WriteFile(filepath.Join(home, "config"), []byte("[profile dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := backend.Profile{Name: "dev", AWSProfile: "dev", Kind: backend.KindStatic}
	s, err := backend.Open(t.Context(), p, backend.Env{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Profiles: []backend.Profile{p}, Session: s, Keys: keymap.Default(), Dark: true,
		Tabs: func(*common.Common) []common.Tab { return []common.Tab{&probeTab{id: common.StreamsTab}} }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if bar := ansi.Strip(m.statusBar()); !strings.Contains(bar, "endpoint s3=http://localhost:9000") {
		t.Errorf("status bar %q does not name S3's endpoint", bar)
	}
}
