package simulator

import "slices"

// DemoConfig is the data the demo serves: what `go run ./pkg/cmd/simulator`
// serves by default, and so what docker-compose's simulator service and the
// provisioned data source see: a large bot, a half-size one and a small one, as
// a fleet's brands or channels differ.
func DemoConfig() Config {
	return Config{Bots: slices.Clone(demoBots), Days: 30, PerHour: 40, Seed: 1,
		Sizes: map[string]float64{"acme-support": 0.5, "globex-billing": 0.15}}
}

var demoBots = []string{"r3-218210", "acme-support", "globex-billing"}
