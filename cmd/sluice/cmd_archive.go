package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newArchiveCmd is being built; its owner replaces this file.
func newArchiveCmd() *cobra.Command {
	return &cobra.Command{Use: "archive", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("archive: not built yet")
	}}
}
