package simulator

// DemoConfig is the data the demo serves: what `go run ./pkg/cmd/simulator`
// serves by default, and so what docker-compose's simulator service and the
// provisioned data source see.
func DemoConfig() Config {
	return Config{Bots: []string{"r3-218210", "acme-support"}, Days: 30, PerHour: 40, Seed: 1}
}
