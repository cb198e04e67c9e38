package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newStreamsCmd is being built; its owner replaces this file.
func newStreamsCmd() *cobra.Command {
	return &cobra.Command{Use: "streams", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("streams: not built yet")
	}}
}
