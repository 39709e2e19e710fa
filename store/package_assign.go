package store

import (
	mrand "math/rand/v2"
	"sort"
)

// assignItems gives each of n items to k of a annotators and returns each
// annotator's item indexes in increasing order. Items are taken in a seeded
// random order; each goes to the k annotators with the fewest items so far
// (so loads differ by at most one: the k least loaded are always chosen),
// ties broken in favour of the annotators who share the fewest items with
// those already chosen for the item, then by a seeded random rank. This is a
// round-robin over the pairs of annotators: a pair that shares nothing yet
// is preferred to one that does, so every pair shares items wherever
// n*k*(k-1)/2 >= a*(a-1)/2 allows.
func assignItems(n, a, k int, rng *mrand.Rand) [][]int {
	out := make([][]int, a)
	if a == 0 || k <= 0 {
		return out
	}
	k = min(k, a)
	load := make([]int, a)
	shared := make([][]int, a)
	for i := range shared {
		shared[i] = make([]int, a)
	}
	order := rng.Perm(n)
	for _, item := range order {
		rank := rng.Perm(a)
		chosen := make([]int, 0, k)
		taken := make([]bool, a)
		for len(chosen) < k {
			best := -1
			var bestKey [3]int
			for c := 0; c < a; c++ {
				if taken[c] {
					continue
				}
				s := 0
				for _, o := range chosen {
					s += shared[c][o]
				}
				key := [3]int{load[c], s, rank[c]}
				if best < 0 || less3(key, bestKey) {
					best, bestKey = c, key
				}
			}
			taken[best] = true
			chosen = append(chosen, best)
		}
		for _, c := range chosen {
			load[c]++
			out[c] = append(out[c], item)
			for _, o := range chosen {
				if o != c {
					shared[c][o]++
				}
			}
		}
	}
	for _, xs := range out {
		sort.Ints(xs)
	}
	return out
}

func less3(x, y [3]int) bool {
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}
