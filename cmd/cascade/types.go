package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cascade-risk/cascade/world"
)

func typesCmd() *cobra.Command {
	var schema bool
	cmd := &cobra.Command{
		Use:   "types",
		Short: "list every process, mechanism and agent type with its keys (--schema: the JSON Schema of scenario files)",
		Long: "types lists every component type a scenario may use, with a one-line description and each key the decoder\n" +
			"accepts: required or optional and what the value is, with its unit. The list comes from the decoders\n" +
			"themselves, so it is always complete. --schema prints the JSON Schema of scenario files instead, as\n" +
			"published in schema/scenario.schema.json for editors (yaml-language-server).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			types := world.Types()
			if schema {
				b, err := world.Schema(types)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
				return err
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), world.WriteTypes(types))
			return err
		},
	}
	cmd.Flags().BoolVar(&schema, "schema", false, "print the JSON Schema of scenario files")
	return cmd
}
