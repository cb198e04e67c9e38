package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newTailCmd is being built; its owner replaces this file.
func newTailCmd() *cobra.Command {
	return &cobra.Command{Use: "tail", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("tail: not built yet")
	}}
}
