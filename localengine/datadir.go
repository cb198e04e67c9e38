package localengine

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultDataDir is $SLUICE_DATA_DIR, else $XDG_DATA_HOME/sluice, else
// ~/.local/share/sluice.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("SLUICE_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sluice"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find a data directory: set --data, SLUICE_DATA_DIR or XDG_DATA_HOME")
	}
	return filepath.Join(home, ".local", "share", "sluice"), nil
}
