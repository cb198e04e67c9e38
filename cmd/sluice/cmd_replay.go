package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newReplayCmd is being built; its owner replaces this file.
func newReplayCmd() *cobra.Command {
	return &cobra.Command{Use: "replay", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("replay: not built yet")
	}}
}
