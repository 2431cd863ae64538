package engine

// splitmix64 is the finalizer of Steele, Lea and Flood's SplitMix64: a
// bijection on uint64 whose outputs for consecutive inputs are statistically
// independent, used here to derive seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// RunSeed derives the seed of one run from the user's seed, the stream cell
// and the run index. Distinct (seed, cell, run) give unrelated seeds.
func RunSeed(seed, cell, run uint64) uint64 {
	return splitmix64(splitmix64(splitmix64(seed)^cell) ^ run)
}

// Stream derives the two PCG seeds of one component's random stream within a
// run. Components are numbered by the model (for example by their position
// in the scenario), so adding an agent does not change the price path.
func Stream(runSeed, component uint64) (uint64, uint64) {
	s := splitmix64(runSeed ^ splitmix64(component+1))
	return s, splitmix64(s)
}
