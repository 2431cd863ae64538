package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cascade-risk/cascade/scenario"
	"github.com/cascade-risk/cascade/world"
)

func typesCmd() *cobra.Command {
	var schema bool
	cmd := &cobra.Command{
		Use:   "types [type...]",
		Short: "list every process, mechanism and agent type with its keys (--schema: the JSON Schema of scenario files)",
		Long: "types lists every component type a scenario may use (or only those named), with a one-line description\n" +
			"and each key the decoder accepts: what the value is, its unit, whether it is required or its default, and\n" +
			"what it means. The list comes from the decoders' own definitions, so it is complete and the defaults are\n" +
			"the ones used. --schema prints the JSON Schema of scenario files instead, as published in\n" +
			"schema/scenario.schema.json for editors (yaml-language-server).",
		Example: "  cascade types aave liquidator\n  cascade types --schema > schema/scenario.schema.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			types := world.Types()
			if schema {
				if len(args) > 0 {
					return usageError{fmt.Errorf("--schema describes every type; drop the names %v", args)}
				}
				b, err := world.Schema(types)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
				return err
			}
			if len(args) > 0 {
				var names []string
				for _, t := range types {
					names = append(names, t.Name)
				}
				var picked []world.TypeInfo
				for _, a := range args {
					n := len(picked)
					for _, t := range types {
						if t.Name == a {
							picked = append(picked, t)
						}
					}
					if len(picked) == n {
						hint := ""
						if s := scenario.Suggest(a, names); s != "" {
							hint = fmt.Sprintf("; did you mean %q?", s)
						}
						return usageError{fmt.Errorf("no type %q%s (cascade types lists them all)", a, hint)}
					}
				}
				types = picked
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), world.WriteTypes(types))
			return err
		},
	}
	cmd.Flags().BoolVar(&schema, "schema", false, "print the JSON Schema of scenario files")
	return cmd
}
