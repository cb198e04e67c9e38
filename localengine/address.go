package localengine

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// addressFile is where a running engine records where it listens, so that
// clients given only the data directory can find it.
const addressFile = "engine.json"

// Address is the content of the address file.
type Address struct {
	URL  string `json:"url"`
	Addr string `json:"addr"`
	PID  int    `json:"pid"`
}

// ReadAddress returns the address recorded in dataDir. The engine that wrote
// it may have died without removing it: callers must connect to be sure.
func ReadAddress(dataDir string) (Address, error) {
	var a Address
	b, err := os.ReadFile(filepath.Join(dataDir, addressFile))
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("read %s: %w", filepath.Join(dataDir, addressFile), err)
	}
	return a, nil
}

// writeAddress replaces the address file atomically, so that a reader never
// sees half of it. On a full disk, where there is no room for a second
// file, it overwrites the file in place, in the room of the one a crashed
// engine left (a reader may then see it half written, and must retry), and
// reports the full disk as full; err is set when the file could not be
// written at all.
func writeAddress(dataDir string, a Address) (full, err error) {
	b, _ := json.Marshal(a)
	tmp := filepath.Join(dataDir, addressFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		_ = os.Remove(tmp)
		err = fmt.Errorf("write address file: %w", err)
		if !IsDiskFull(err) {
			return nil, err
		}
		if err2 := os.WriteFile(filepath.Join(dataDir, addressFile), b, 0o600); err2 != nil {
			return err, err
		}
		return err, nil
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, addressFile)); err != nil {
		return nil, fmt.Errorf("write address file: %w", err)
	}
	return nil, nil
}

// IsDiskFull reports an error of a file system with no room left (or a
// quota spent).
func IsDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func removeAddress(dataDir string) {
	_ = os.Remove(filepath.Join(dataDir, addressFile))
}

// InUseError reports a data directory that another engine is serving.
type InUseError struct {
	DataDir string
	Address Address // zero when the other engine has not written it yet
}

func (e *InUseError) Error() string {
	if e.Address.URL == "" {
		return fmt.Sprintf("data directory %s is in use by another sluice engine", e.DataDir)
	}
	return fmt.Sprintf("data directory %s is in use by the sluice engine at %s (pid %d)",
		e.DataDir, e.Address.URL, e.Address.PID)
}

// CheckListenAddr refuses an address that is not on the loopback interface
// unless allowRemote is set: the engine has no real authentication by
// default, so it must not be reachable from the network by accident.
func CheckListenAddr(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("listen address %q: invalid port", addr)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("refusing to listen on " + addr + ": not a loopback address (use --allow-remote to expose the engine)")
}
