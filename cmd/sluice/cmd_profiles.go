package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newProfilesCmd is being built; its owner replaces this file.
func newProfilesCmd() *cobra.Command {
	return &cobra.Command{Use: "profiles", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return errors.New("profiles: not built yet")
	}}
}
